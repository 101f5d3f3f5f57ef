build-x/adapter/jsonvalid.o: adapter/jsonvalid.c core/compat.h \
 adapter/jsonvalid.h
core/compat.h:
adapter/jsonvalid.h:
