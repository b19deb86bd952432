package auth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// DefaultTokenListen is where the token endpoint listens unless told otherwise.
const DefaultTokenListen = "127.0.0.1:5680"

// TokenRequest is the JSON body of POST /api/tokens, as Starfish's clients sent it.
type TokenRequest struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// TokenResponse is the JSON answer of POST /api/tokens.
type TokenResponse struct {
	AccessToken string `json:"accessToken"`
	ExpiresIn   int64  `json:"expiresIn"`
}

// ErrorResponse is the JSON body of every failed token request.
type ErrorResponse struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// TokenEndpoint serves POST /api/tokens: client credentials in, signed token out.
type TokenEndpoint struct {
	Authority *TokenAuthority
	Accounts  func() *Accounts
	TTL       time.Duration
	Logger    *slog.Logger
}

// Handler returns the endpoint's HTTP handler.
func (t *TokenEndpoint) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/tokens", t.serveTokens)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, ErrorResponse{Error: "not_found", Message: "the only resource here is POST /api/tokens"})
	})
	return mux
}

func (t *TokenEndpoint) serveTokens(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, ErrorResponse{Error: "method_not_allowed", Message: "use POST with {\"clientId\", \"clientSecret\"}"})
		return
	}
	var req TokenRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, ErrorResponse{Error: "invalid_request", Message: "body must be JSON {\"clientId\": ..., \"clientSecret\": ...}: " + err.Error()})
		return
	}
	if req.ClientID == "" || req.ClientSecret == "" {
		writeJSON(w, http.StatusBadRequest, ErrorResponse{Error: "invalid_request", Message: "clientId and clientSecret are both required"})
		return
	}
	account, err := t.Accounts().Authenticate(req.ClientID, req.ClientSecret)
	if err != nil {
		t.logger().Info("token refused", "client_id", req.ClientID, "remote", r.RemoteAddr)
		status := http.StatusUnauthorized
		if !errors.Is(err, ErrBadCredentials) {
			status = http.StatusInternalServerError
		}
		writeJSON(w, status, ErrorResponse{Error: "invalid_client", Message: err.Error()})
		return
	}
	token, err := t.Authority.Issue(account.ID, t.TTL)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, ErrorResponse{Error: "server_error", Message: err.Error()})
		return
	}
	t.logger().Info("token issued", "account", account.ID, "expires", token.ExpiresAt)
	writeJSON(w, http.StatusOK, TokenResponse{
		AccessToken: token.Raw,
		ExpiresIn:   int64(time.Until(token.ExpiresAt).Round(time.Second) / time.Second),
	})
}

func (t *TokenEndpoint) logger() *slog.Logger {
	if t.Logger != nil {
		return t.Logger
	}
	return slog.Default()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
