package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"redline/daemon/internal/article"
	"redline/daemon/internal/notify"
)

// Notifier keeps the notification targets (the Settings' Notifications
// section).
type Notifier interface {
	Add(spec notify.Spec) (notify.Status, error)
	Remove(id int64) error
	List() ([]notify.Status, error)
	Test(ctx context.Context, id int64) ([]notify.TestResult, error)
}

// addTarget adds a notification target from the Settings form: URL, minor
// too, site and digest minutes. Bad input is a clear error and stores
// nothing.
func (d *Dashboard) addTarget(w http.ResponseWriter, r *http.Request, u user) error {
	if d.notifier == nil {
		return userError(article.ENOTFOUND, "Notifications are not available here.")
	}
	f := r.PostForm
	spec := notify.Spec{URL: f.Get("url"), Site: f.Get("notify_site"), Digest: strings.TrimSpace(f.Get("digest_minutes"))}
	switch f.Get("minor") {
	case "", "off":
	case "on", "1", "yes":
		spec.Minor = true
	default:
		return userError(article.EINVALID, "Choose whether minor changes are sent too.")
	}
	if _, err := d.notifier.Add(spec); err != nil {
		if c := article.ErrorCode(err); c == article.EINVALID || c == article.ECONFLICT {
			return userError(c, "The notification target was not added: "+errMessage(err)+".")
		}
		return err
	}
	http.Redirect(w, r, "/settings?saved=notify#s-notify", http.StatusSeeOther)
	return nil
}

// targetID reads the form's target id.
func targetID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("id")), 10, 64)
	if err != nil || id < 1 {
		return 0, userError(article.EINVALID, "Choose a notification target from the list.")
	}
	return id, nil
}

// removeTarget removes a notification target.
func (d *Dashboard) removeTarget(w http.ResponseWriter, r *http.Request, u user) error {
	if d.notifier == nil {
		return userError(article.ENOTFOUND, "Notifications are not available here.")
	}
	id, err := targetID(r)
	if err != nil {
		return err
	}
	if err := d.notifier.Remove(id); err != nil {
		if article.ErrorCode(err) == article.ENOTFOUND {
			return userError(article.ENOTFOUND, "That notification target is no longer there.")
		}
		return err
	}
	http.Redirect(w, r, "/settings?saved=notify-removed#s-notify", http.StatusSeeOther)
	return nil
}

// testTarget sends a sample message to a target and says how it went.
func (d *Dashboard) testTarget(w http.ResponseWriter, r *http.Request, u user) error {
	if d.notifier == nil {
		return userError(article.ENOTFOUND, "Notifications are not available here.")
	}
	id, err := targetID(r)
	if err != nil {
		return err
	}
	res, err := d.notifier.Test(r.Context(), id)
	if err != nil {
		if article.ErrorCode(err) == article.ENOTFOUND {
			return userError(article.ENOTFOUND, "That notification target is no longer there.")
		}
		return err
	}
	saved := "notify-test-ok"
	if len(res) != 1 || !res[0].OK {
		saved = "notify-test-failed"
	}
	http.Redirect(w, r, "/settings?saved="+saved+"#s-notify", http.StatusSeeOther)
	return nil
}
