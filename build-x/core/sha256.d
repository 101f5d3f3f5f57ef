build-x/core/sha256.o: core/sha256.c core/compat.h core/sha256.h \
 core/err.h
core/compat.h:
core/sha256.h:
core/err.h:
