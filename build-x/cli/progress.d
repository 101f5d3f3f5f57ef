build-x/cli/progress.o: cli/progress.c core/compat.h cli/progress.h \
 core/buf.h core/log.h reader/checkpoint.h reader/engine.h \
 model/streams.h
core/compat.h:
cli/progress.h:
core/buf.h:
core/log.h:
reader/checkpoint.h:
reader/engine.h:
model/streams.h:
