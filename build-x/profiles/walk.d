build-x/profiles/walk.o: profiles/walk.c core/compat.h profiles/load.h \
 profiles/profile.h core/buf.h core/err.h core/redact.h core/strutil.h \
 core/xalloc.h profiles/interp.h
core/compat.h:
profiles/load.h:
profiles/profile.h:
core/buf.h:
core/err.h:
core/redact.h:
core/strutil.h:
core/xalloc.h:
profiles/interp.h:
