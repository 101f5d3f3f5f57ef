build-x/reader/page.o: reader/page.c core/compat.h reader/page.h \
 core/buf.h model/columns.h core/err.h core/xalloc.h reader/fields.h \
 reader/jscan.h model/streams.h
core/compat.h:
reader/page.h:
core/buf.h:
model/columns.h:
core/err.h:
core/xalloc.h:
reader/fields.h:
reader/jscan.h:
model/streams.h:
