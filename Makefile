# CoAP Workbench. The two commands a newcomer needs: `make run` and `make test`.

export PATH := $(PATH):/usr/local/go/bin
GO      ?= go
BINARY  := coap-workbench
PKG     := github.com/coap-workbench/coap-workbench
VERSION := $(shell sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
BUILD   := $(shell sed -n 's/^ *Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
COMMIT  := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
DATE    := $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X $(PKG)/app.version=$(VERSION) -X $(PKG)/app.commit=$(COMMIT) -X $(PKG)/app.buildDate=$(DATE)
TAGS    := migrated_fynedo
TEST_TAGS := ci,migrated_fynedo

.PHONY: run build test deps test-deps vet unit e2e fuzz bench bench-compare screenshots clean \
	release package-deps package-linux check-packages package-windows

## run: install what is missing, build, and open the workbench
run: deps build
	./$(BINARY)

## build: the desktop binary (cgo, Fyne's GLFW driver; the first build takes a few minutes)
build:
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BINARY) .

## test: install what is missing, then vet, the unit tests with the race detector, and the
## end-to-end suite against libcoap's coap-client
test: test-deps vet unit e2e

deps:
	scripts/install-deps.sh run

test-deps:
	scripts/install-deps.sh test

vet:
	$(GO) vet -tags $(TEST_TAGS) ./...
	$(GO) vet -tags e2e ./e2e/

unit:
	$(GO) test -race -tags $(TEST_TAGS) ./...

e2e:
	$(GO) test -tags e2e -count=1 ./e2e/

## fuzz: run every fuzz target for FUZZTIME each (their seed corpora run in every `make test`)
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseURI -fuzztime $(FUZZTIME) ./gatewaylite/proxytarget/
	$(GO) test -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME) ./gatewaylite/auth/
	$(GO) test -run '^$$' -fuzz FuzzGatewayDatagram -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./gatewaylite/
	$(GO) test -run '^$$' -fuzz FuzzPowerStats -fuzztime $(FUZZTIME) ./coapengine/ssn/
	$(GO) test -run '^$$' -fuzz FuzzTimeSet -fuzztime $(FUZZTIME) ./coapengine/ssn/
	$(GO) test -run '^$$' -fuzz FuzzSensorReading -fuzztime $(FUZZTIME) ./coapengine/ssn/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./coapengine/linkformat/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./coapengine/decode/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./coapengine/coapclient/

## bench: the engine's benchmarks (crawl of 1000 devices, history at 1M entries, decoders);
## the first run builds a million-entry history, about half a minute
bench:
	$(GO) test -run '^$$' -bench CrawlMesh1000 -benchtime 3x ./coapengine/
	$(GO) test -run '^$$' -bench . -benchmem ./coapengine/history/ ./coapengine/decode/

## bench-compare: gateway-lite against the devices and against libcoap's forward proxy
bench-compare: test-deps
	scripts/bench-compare.sh

## screenshots: the screenshot tour: the real window under Xvfb at 1024x700, 1280x800 and
## 1920x1080, light and dark, driven through its main states, failing when the window does not
## keep its size; PNGs in dist/screenshots/WxH/, the 1280x800 ones copied to docs/screenshots/
screenshots: build
	scripts/install-deps.sh screenshots
	scripts/screenshots.sh ./$(BINARY)

## release: the release binary: -trimpath, no symbol tables (-s -w), the migrated_fynedo tag
RELEASE_LDFLAGS := -s -w $(LDFLAGS)
release:
	$(GO) build -trimpath -tags $(TAGS) -ldflags "$(RELEASE_LDFLAGS)" -o dist/linux/$(BINARY) .

package-deps:
	scripts/install-deps.sh package

## package-linux: dist/coap-workbench.tar.xz (fyne package: binary, .desktop, icon, install
## Makefile) and dist/coap-workbench_<version>-<build>_<arch>.deb
package-linux: package-deps release
	scripts/keep-fyneapp.sh $(GO) tool fyne package -os linux --release --executable $(CURDIR)/dist/linux/$(BINARY) \
		--name $(BINARY) --icon $(CURDIR)/assets/icon.png --app-id io.github.coapworkbench --app-version $(VERSION) --app-build $(BUILD)
	mv $(BINARY).tar.xz dist/
	scripts/package-deb.sh dist/linux/$(BINARY) dist

## package-windows: dist/windows/coap-workbench.exe cross-built with mingw-w64 (icon, manifest and
## version info from fyne package) and dist/coap-workbench-<version>-setup.exe (NSIS)
package-windows:
	scripts/install-deps.sh windows
	scripts/package-windows.sh $(VERSION) $(BUILD)

## check-packages: install the .deb here, run coap-workbench --version and a gateway smoke, remove it
check-packages: package-linux
	scripts/check-deb.sh dist/$(BINARY)_$(VERSION)-*_$$(dpkg --print-architecture).deb

clean:
	rm -f $(BINARY)
	rm -rf dist
