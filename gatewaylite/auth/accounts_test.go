package auth

import (
	"errors"
	"testing"
)

func TestAccountDevicePatterns(t *testing.T) {
	a := Account{ID: "ops", Devices: []string{"SSN0013*", "*.lab.test"}}
	for host, want := range map[string]bool{
		"SSN001350050005E7D6.sim.starfish.test": true,
		"ssn001350050005e7d6.sim.starfish.test": true,
		"SSN00AA50050005E7D6.sim.starfish.test": false,
		"SSN00AA50050005E7D6.lab.test":          true,
	} {
		if got := a.MayReach(host); got != want {
			t.Errorf("%s: %v, want %v", host, got, want)
		}
	}
	if (Account{Devices: []string{"*"}}).MayReach("anything.at.all") != true {
		t.Error("* must reach every device")
	}
	if (Account{}).MayReach("x") {
		t.Error("no patterns must reach nothing")
	}
}

func TestAuthenticate(t *testing.T) {
	hash, err := HashSecret("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewAccounts([]Account{{ID: "dev", ClientID: "dev-client", SecretHash: hash, Devices: []string{"*"}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := set.Authenticate("dev-client", "s3cret")
	if err != nil || a.ID != "dev" || a.Limit() != DefaultSessionLimit {
		t.Fatalf("got %+v %v", a, err)
	}
	if _, err := set.Authenticate("dev-client", "wrong"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("wrong secret: %v", err)
	}
	if _, err := set.Authenticate("nobody", "s3cret"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown client: %v", err)
	}
}

func TestNewAccountsRejectsBadConfig(t *testing.T) {
	for name, accounts := range map[string][]Account{
		"no id":          {{Devices: []string{"*"}}},
		"duplicate id":   {{ID: "a"}, {ID: "a"}},
		"bad pattern":    {{ID: "a", Devices: []string{"[x"}}},
		"negative limit": {{ID: "a", SessionLimit: -1}},
		"client no hash": {{ID: "a", ClientID: "c"}},
		"dup client":     {{ID: "a", ClientID: "c", SecretHash: "h"}, {ID: "b", ClientID: "c", SecretHash: "h"}},
	} {
		if _, err := NewAccounts(accounts); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
