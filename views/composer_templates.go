package views

// showTemplates offers the payloads of the SSN devices (filled in with the device of the
// URI box).
func (c *Composer) showTemplates() {}
