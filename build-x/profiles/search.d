build-x/profiles/search.o: profiles/search.c core/compat.h \
 profiles/profile.h core/buf.h core/err.h core/strutil.h core/xalloc.h
core/compat.h:
profiles/profile.h:
core/buf.h:
core/err.h:
core/strutil.h:
core/xalloc.h:
