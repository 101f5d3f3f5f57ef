build-x/core/opt.o: core/opt.c core/compat.h core/opt.h core/err.h \
 core/strutil.h core/xalloc.h
core/compat.h:
core/opt.h:
core/err.h:
core/strutil.h:
core/xalloc.h:
