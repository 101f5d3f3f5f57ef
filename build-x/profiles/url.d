build-x/profiles/url.o: profiles/url.c core/compat.h profiles/profile.h \
 core/err.h profiles/load.h
core/compat.h:
profiles/profile.h:
core/err.h:
profiles/load.h:
