build-x/adapter/adapter.o: adapter/adapter.c core/compat.h \
 adapter/adapter_int.h adapter/adapter.h core/buf.h core/err.h \
 adapter/retry.h adapter/auth.h adapter/easy.h adapter/ratelimit.h \
 adapter/url.h core/xalloc.h profiles/profile.h
core/compat.h:
adapter/adapter_int.h:
adapter/adapter.h:
core/buf.h:
core/err.h:
adapter/retry.h:
adapter/auth.h:
adapter/easy.h:
adapter/ratelimit.h:
adapter/url.h:
core/xalloc.h:
profiles/profile.h:
