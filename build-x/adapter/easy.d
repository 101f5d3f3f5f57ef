build-x/adapter/easy.o: adapter/easy.c core/compat.h adapter/easy.h \
 profiles/profile.h
core/compat.h:
adapter/easy.h:
profiles/profile.h:
