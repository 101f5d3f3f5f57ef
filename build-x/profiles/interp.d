build-x/profiles/interp.o: profiles/interp.c core/compat.h \
 profiles/interp.h core/buf.h core/err.h
core/compat.h:
profiles/interp.h:
core/buf.h:
core/err.h:
