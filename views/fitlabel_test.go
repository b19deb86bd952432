package views

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/coap-workbench/coap-workbench/internal/uiqueue"
)

func TestAFitLabelCutsTheMiddleAndKeepsTheTail(t *testing.T) {
	test.NewTempApp(t)
	l := NewFitLabel("SSN001350050005E7D6.sim.starfish.test")
	w := showInTestWindow(t, container.NewWithoutLayout(l), 400, 100)
	l.Resize(fyne.NewSize(150, l.MinSize().Height))
	shown := l.Shown()
	if !strings.Contains(shown, "…") || !strings.HasSuffix(shown, ".test") || !strings.HasPrefix(shown, "SS") {
		t.Fatalf("shown %q: want the head, an ellipsis and the tail", shown)
	}
	if l.Text() != "SSN001350050005E7D6.sim.starfish.test" {
		t.Fatalf("the whole text is %q", l.Text())
	}
	l.Resize(fyne.NewSize(390, l.MinSize().Height))
	if l.Shown() != l.Text() {
		t.Fatalf("with room, shown %q", l.Shown())
	}
	_ = w
}

func TestAFitLabelNeverWidensItsPane(t *testing.T) {
	test.NewTempApp(t)
	l := NewFitLabel(strings.Repeat("coap://SSN001350050005E7D6.sim.starfish.test:4849/sys/stats?mod=pwr ", 20))
	if w := l.MinSize().Width; w > 80 {
		t.Fatalf("minimum width %v for a long text", w)
	}
}

func TestACutNameShowsWholeInATooltip(t *testing.T) {
	test.NewTempApp(t)
	delay, do := tooltipDelay, tooltipDo
	q := uiqueue.New()
	tooltipDelay, tooltipDo = time.Millisecond, q.Do
	t.Cleanup(func() { tooltipDelay, tooltipDo = delay, do })
	l := NewFitLabel("SSN001350050005E7D6.sim.starfish.test")
	content := WithTooltips(container.NewVBox(container.NewGridWrap(fyne.NewSize(120, 40), l)))
	w := showInTestWindow(t, content, 400, 300)
	_ = w
	l.MouseIn(nil)
	q.WaitFor(t, "the tooltip", func() bool { return ShownTooltip(l) != "" })
	if got := ShownTooltip(l); got != "SSN001350050005E7D6.sim.starfish.test" {
		t.Fatalf("tooltip %q", got)
	}
	l.MouseOut()
	if got := ShownTooltip(l); got != "" {
		t.Fatalf("tooltip %q after the pointer left", got)
	}
}

func TestAFitLabelThatKeepsItsHeadCutsTheEnd(t *testing.T) {
	test.NewTempApp(t)
	l := NewFitLabel("RTT 401 ms · 48 bytes · ACK · answered by the device, through the gateway · 18:40:23.568")
	l.Cut = CutEnd
	showInTestWindow(t, container.NewWithoutLayout(l), 400, 100)
	l.Resize(fyne.NewSize(200, l.MinSize().Height))
	if shown := l.Shown(); !strings.HasPrefix(shown, "RTT 401 ms") || !strings.HasSuffix(shown, "…") {
		t.Fatalf("shown %q", shown)
	}
}
