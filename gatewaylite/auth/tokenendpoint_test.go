package auth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func tokenServer(t *testing.T) (*httptest.Server, *TokenAuthority) {
	t.Helper()
	a, _ := newAuthority(t, nil)
	hash, _ := HashSecret("s3cret")
	set, err := NewAccounts([]Account{{ID: "dev", ClientID: "dev", SecretHash: hash, Devices: []string{"*"}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer((&TokenEndpoint{Authority: a, Accounts: func() *Accounts { return set }}).Handler())
	t.Cleanup(srv.Close)
	return srv, a
}

func post(t *testing.T, url, body string) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp, out
}

func TestTokenEndpointIssuesForGoodCredentials(t *testing.T) {
	srv, a := tokenServer(t)
	resp, out := post(t, srv.URL+"/api/tokens", `{"clientId":"dev","clientSecret":"s3cret"}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d %v", resp.StatusCode, out)
	}
	tok, _ := out["accessToken"].(string)
	claims, err := a.Verify(tok)
	if err != nil || claims.Subject != "dev" {
		t.Fatalf("issued token: %+v %v", claims, err)
	}
	if exp, _ := out["expiresIn"].(float64); exp < 3590 || exp > 3600 {
		t.Fatalf("expiresIn %v", out["expiresIn"])
	}
}

func TestTokenEndpointRefusals(t *testing.T) {
	srv, _ := tokenServer(t)
	cases := []struct {
		body   string
		status int
		code   string
	}{
		{`{"clientId":"dev","clientSecret":"wrong"}`, 401, "invalid_client"},
		{`{"clientId":"nobody","clientSecret":"s3cret"}`, 401, "invalid_client"},
		{`{"clientId":"dev"}`, 400, "invalid_request"},
		{`not json`, 400, "invalid_request"},
	}
	for _, c := range cases {
		resp, out := post(t, srv.URL+"/api/tokens", c.body)
		if resp.StatusCode != c.status || out["error"] != c.code || out["message"] == "" {
			t.Errorf("%s: %d %v", c.body, resp.StatusCode, out)
		}
	}
	resp, err := http.Get(srv.URL + "/api/tokens")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
}
