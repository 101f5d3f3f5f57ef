build-x/adapter/reply.o: adapter/reply.c core/compat.h \
 adapter/adapter_int.h adapter/adapter.h core/buf.h core/err.h \
 adapter/retry.h adapter/apierror.h adapter/auth.h adapter/jsonvalid.h \
 adapter/ratelimit.h core/log.h core/sat.h profiles/profile.h
core/compat.h:
adapter/adapter_int.h:
adapter/adapter.h:
core/buf.h:
core/err.h:
adapter/retry.h:
adapter/apierror.h:
adapter/auth.h:
adapter/jsonvalid.h:
adapter/ratelimit.h:
core/log.h:
core/sat.h:
profiles/profile.h:
