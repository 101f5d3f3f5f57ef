build-x/core/strutil.o: core/strutil.c core/compat.h core/strutil.h \
 core/err.h
core/compat.h:
core/strutil.h:
core/err.h:
