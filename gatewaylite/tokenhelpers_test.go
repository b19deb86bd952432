package gatewaylite

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

func readDevSecret(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, DevSecretFile))
	return strings.TrimSpace(string(b)), err
}

func fetchToken(url, clientID, secret string) (string, error) {
	body := fmt.Sprintf(`{"clientId":%q,"clientSecret":%q}`, clientID, secret)
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	return out.AccessToken, err
}
