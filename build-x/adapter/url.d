build-x/adapter/url.o: adapter/url.c core/compat.h adapter/url.h \
 core/buf.h
core/compat.h:
adapter/url.h:
core/buf.h:
