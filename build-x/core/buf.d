build-x/core/buf.o: core/buf.c core/compat.h core/buf.h core/xalloc.h
core/compat.h:
core/buf.h:
core/xalloc.h:
