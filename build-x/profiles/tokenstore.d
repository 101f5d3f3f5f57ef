build-x/profiles/tokenstore.o: profiles/tokenstore.c core/compat.h \
 profiles/tokenstore.h core/buf.h core/err.h core/file.h core/json.h \
 core/redact.h core/xalloc.h profiles/profile.h
core/compat.h:
profiles/tokenstore.h:
core/buf.h:
core/err.h:
core/file.h:
core/json.h:
core/redact.h:
core/xalloc.h:
profiles/profile.h:
