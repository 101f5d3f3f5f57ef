build-x/core/sat.o: core/sat.c core/compat.h core/sat.h
core/compat.h:
core/sat.h:
