build-x/profiles/profile.o: profiles/profile.c core/compat.h \
 profiles/profile.h core/buf.h core/err.h core/file.h core/strutil.h \
 core/xalloc.h profiles/load.h
core/compat.h:
profiles/profile.h:
core/buf.h:
core/err.h:
core/file.h:
core/strutil.h:
core/xalloc.h:
profiles/load.h:
