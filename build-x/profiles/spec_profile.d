build-x/profiles/spec_profile.o: profiles/spec_profile.c core/compat.h \
 profiles/load.h profiles/profile.h core/buf.h core/err.h core/strutil.h \
 core/xalloc.h
core/compat.h:
profiles/load.h:
profiles/profile.h:
core/buf.h:
core/err.h:
core/strutil.h:
core/xalloc.h:
