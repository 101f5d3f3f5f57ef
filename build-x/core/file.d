build-x/core/file.o: core/file.c core/compat.h core/file.h core/buf.h \
 core/err.h core/xalloc.h
core/compat.h:
core/file.h:
core/buf.h:
core/err.h:
core/xalloc.h:
