build-x/core/json.o: core/json.c core/compat.h core/json.h core/buf.h \
 core/err.h
core/compat.h:
core/json.h:
core/buf.h:
core/err.h:
