build-x/adapter/retry.o: adapter/retry.c core/compat.h adapter/retry.h
core/compat.h:
adapter/retry.h:
