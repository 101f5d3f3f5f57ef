build-x/adapter/auth.o: adapter/auth.c core/compat.h adapter/auth.h \
 adapter/oauth.h core/err.h core/log.h core/redact.h core/sat.h \
 core/xalloc.h profiles/profile.h profiles/tokenstore.h
core/compat.h:
adapter/auth.h:
adapter/oauth.h:
core/err.h:
core/log.h:
core/redact.h:
core/sat.h:
core/xalloc.h:
profiles/profile.h:
profiles/tokenstore.h:
