build-x/core/strset.o: core/strset.c core/compat.h core/strset.h \
 core/xalloc.h
core/compat.h:
core/strset.h:
core/xalloc.h:
