build-x/reader/windows.o: reader/windows.c core/compat.h reader/windows.h \
 reader/checkpoint.h
core/compat.h:
reader/windows.h:
reader/checkpoint.h:
