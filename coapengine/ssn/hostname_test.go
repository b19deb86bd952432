package ssn

import "testing"

func TestParseMACAcceptsCommonForms(t *testing.T) {
	want := "001350050005E7D6"
	for _, in := range []string{
		"001350050005E7D6", "001350050005e7d6", "00:13:50:05:00:05:E7:D6", "00-13-50-05-00-05-e7-d6",
		"SSN001350050005E7D6", "ssn001350050005e7d6", "SSN001350050005E7D6.sim.starfish.test",
		" 0013.5005.0005.E7D6 ",
	} {
		mac, err := ParseMAC(in)
		if err != nil || mac.String() != want {
			t.Errorf("%q: got %v %v", in, mac, err)
		}
	}
	for _, in := range []string{"", "0013", "00135005000xE7D6", "001350050005E7D6AA", "SSN"} {
		if _, err := ParseMAC(in); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

func TestHostNameRoundTrip(t *testing.T) {
	mac, _ := ParseMAC("001350050005E7D6")
	host := mac.HostName("sim.starfish.test")
	if host != "SSN001350050005E7D6.sim.starfish.test" {
		t.Fatalf("host %s", host)
	}
	if mac.Colons() != "00:13:50:05:00:05:E7:D6" {
		t.Fatalf("colons %s", mac.Colons())
	}
	back, domain, err := ParseHostName("ssn001350050005e7d6.SIM.Starfish.TEST")
	if err != nil || back != mac || domain != "sim.starfish.test" {
		t.Fatalf("got %v %q %v", back, domain, err)
	}
	for _, bad := range []string{"SSN001350050005E7D6", "foo.bar", "SSNxyz.sim"} {
		if _, _, err := ParseHostName(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
