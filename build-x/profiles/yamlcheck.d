build-x/profiles/yamlcheck.o: profiles/yamlcheck.c core/compat.h \
 profiles/load.h profiles/profile.h
core/compat.h:
profiles/load.h:
profiles/profile.h:
