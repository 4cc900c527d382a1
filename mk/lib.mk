# The library as embedders get it: libebb.so with a versioned soname,
# built from position-independent objects with hidden visibility so that
# only the public API (EBB_API: every wasm_* and ebb_* function of
# include/) is exported; ebb.pc for pkg-config; `make install`.
#
#   make install PREFIX=/usr/local [DESTDIR=...]

EBB_VERSION  := 0.1.0
EBB_SOMAJOR  := 0
EBB_SONAME   := libebb.so.$(EBB_SOMAJOR)
EBB_HEADERS  := include/wasm.h include/ebb.h include/ebb_export.h
PREFIX       ?= /usr/local

PIC_OBJS := $(LIB_SRCS:%.c=$(BUILD)/pic/%.o)

$(BUILD)/pic/src/interp/%.o: src/interp/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -fvisibility=hidden $(INTERP_FLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -fvisibility=hidden -c $< -o $@

# -z defs: every symbol the library uses must be defined in it or in the
# libraries named here, so a missing implementation fails the build.
$(BUILD)/libebb.so.$(EBB_VERSION): $(PIC_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(EBB_SONAME) -Wl,-z,defs -o $@ $^ \
	    $(LDFLAGS_ALL)

$(BUILD)/$(EBB_SONAME): $(BUILD)/libebb.so.$(EBB_VERSION)
	ln -sf libebb.so.$(EBB_VERSION) $@

$(BUILD)/libebb.so: $(BUILD)/$(EBB_SONAME)
	ln -sf $(EBB_SONAME) $@

$(BUILD)/ebb.pc: ebb.pc.in mk/lib.mk
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(EBB_VERSION)|' \
	    $< > $@

# The sanitizer builds are for the test programs; they skip the library.
ifeq ($(SAN),)
all: $(BUILD)/libebb.so $(BUILD)/ebb.pc
endif

install: $(BUILD)/ebb $(BUILD)/libebb.a $(BUILD)/libebb.so $(BUILD)/ebb.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/ebb $(DESTDIR)$(PREFIX)/bin/ebb
	install -m 644 $(EBB_HEADERS) $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libebb.a $(DESTDIR)$(PREFIX)/lib/libebb.a
	install -m 755 $(BUILD)/libebb.so.$(EBB_VERSION) \
	    $(DESTDIR)$(PREFIX)/lib/libebb.so.$(EBB_VERSION)
	ln -sf libebb.so.$(EBB_VERSION) $(DESTDIR)$(PREFIX)/lib/$(EBB_SONAME)
	ln -sf $(EBB_SONAME) $(DESTDIR)$(PREFIX)/lib/libebb.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(EBB_VERSION)|' \
	    ebb.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ebb.pc

-include $(PIC_OBJS:.o=.d)

.PHONY: install
