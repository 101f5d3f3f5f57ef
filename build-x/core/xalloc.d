build-x/core/xalloc.o: core/xalloc.c core/compat.h core/xalloc.h
core/compat.h:
core/xalloc.h:
