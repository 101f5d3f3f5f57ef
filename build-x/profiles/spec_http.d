build-x/profiles/spec_http.o: profiles/spec_http.c core/compat.h \
 profiles/load.h profiles/profile.h core/err.h core/redact.h \
 core/xalloc.h
core/compat.h:
profiles/load.h:
profiles/profile.h:
core/err.h:
core/redact.h:
core/xalloc.h:
