build-x/reader/engine.o: reader/engine.c core/compat.h reader/engine.h \
 model/streams.h reader/checkpoint.h adapter/adapter.h core/buf.h \
 core/err.h adapter/url.h core/log.h core/strset.h core/xalloc.h \
 reader/apply.h reader/engine_int.h reader/page.h model/columns.h \
 reader/plan.h reader/windows.h sinks/sink.h
core/compat.h:
reader/engine.h:
model/streams.h:
reader/checkpoint.h:
adapter/adapter.h:
core/buf.h:
core/err.h:
adapter/url.h:
core/log.h:
core/strset.h:
core/xalloc.h:
reader/apply.h:
reader/engine_int.h:
reader/page.h:
model/columns.h:
reader/plan.h:
reader/windows.h:
sinks/sink.h:
