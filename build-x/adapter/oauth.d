build-x/adapter/oauth.o: adapter/oauth.c core/compat.h adapter/oauth.h \
 adapter/apierror.h adapter/easy.h core/buf.h core/err.h core/json.h \
 core/log.h core/redact.h core/sat.h core/xalloc.h profiles/profile.h \
 profiles/tokenstore.h
core/compat.h:
adapter/oauth.h:
adapter/apierror.h:
adapter/easy.h:
core/buf.h:
core/err.h:
core/json.h:
core/log.h:
core/redact.h:
core/sat.h:
core/xalloc.h:
profiles/profile.h:
profiles/tokenstore.h:
