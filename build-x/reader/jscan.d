build-x/reader/jscan.o: reader/jscan.c core/compat.h reader/jscan.h
core/compat.h:
reader/jscan.h:
