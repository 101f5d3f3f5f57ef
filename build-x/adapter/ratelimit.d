build-x/adapter/ratelimit.o: adapter/ratelimit.c core/compat.h \
 adapter/ratelimit.h core/sat.h core/xalloc.h
core/compat.h:
adapter/ratelimit.h:
core/sat.h:
core/xalloc.h:
