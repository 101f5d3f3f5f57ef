build-x/adapter/apierror.o: adapter/apierror.c core/compat.h \
 adapter/apierror.h
core/compat.h:
adapter/apierror.h:
