build-x/core/lockfile.o: core/lockfile.c core/compat.h core/lockfile.h \
 core/err.h core/strutil.h core/xalloc.h
core/compat.h:
core/lockfile.h:
core/err.h:
core/strutil.h:
core/xalloc.h:
