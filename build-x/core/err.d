build-x/core/err.o: core/err.c core/compat.h core/err.h
core/compat.h:
core/err.h:
