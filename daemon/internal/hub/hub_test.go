package hub

import (
	"testing"

	"redline/daemon/internal/article"
)

type memLog struct{ events []article.Event }

func (m *memLog) EventsAfter(after int64, limit int) ([]article.Event, error) {
	var out []article.Event
	for _, e := range m.events {
		if e.ID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memLog) LastEventID() (int64, error) {
	if len(m.events) == 0 {
		return 0, nil
	}
	return m.events[len(m.events)-1].ID, nil
}

// Writers commit in id order but may publish out of it: the hub serves
// in id order and never skips one.
func TestOutOfOrderPublishIsServedInOrder(t *testing.T) {
	log := &memLog{events: []article.Event{{ID: 1}, {ID: 2}}}
	h, err := New(log)
	if err != nil {
		t.Fatal(err)
	}
	got, wake, _ := h.eventsAfter(2, 10)
	if len(got) != 0 {
		t.Fatalf("nothing new yet, got %v", got)
	}
	h.Publish(article.Event{ID: 4})
	select {
	case <-wake:
		t.Fatal("woke before event 3 arrived")
	default:
	}
	if got, _, _ := h.eventsAfter(2, 10); len(got) != 0 {
		t.Fatalf("served %v before event 3", got)
	}
	h.Publish(article.Event{ID: 3})
	<-wake
	got, _, _ = h.eventsAfter(2, 10)
	if len(got) != 2 || got[0].ID != 3 || got[1].ID != 4 {
		t.Fatalf("got %v, want 3 then 4", got)
	}
	h.Publish(article.Event{ID: 3}) // a duplicate is ignored
	if got, _, _ := h.eventsAfter(4, 10); len(got) != 0 {
		t.Errorf("duplicate served: %v", got)
	}
	// Older events come from the log.
	if got, _, _ := h.eventsAfter(0, 10); len(got) != 2 || got[0].ID != 1 {
		t.Errorf("replay from log: %v", got)
	}
}

func TestForgottenArticlesAreNotServed(t *testing.T) {
	h, _ := New(&memLog{})
	h.Publish(article.Event{ID: 1, ArticleID: 7})
	h.Publish(article.Event{ID: 2, ArticleID: 8})
	h.Forget(7)
	got, _, _ := h.eventsAfter(0, 10)
	if len(got) != 1 || got[0].ArticleID != 8 {
		t.Errorf("got %v", got)
	}
}

func TestRecentIsBounded(t *testing.T) {
	h, _ := New(&memLog{})
	for i := int64(1); i <= recentCap*3; i++ {
		h.Publish(article.Event{ID: i})
	}
	if len(h.recent) > recentCap {
		t.Errorf("hub holds %d events", len(h.recent))
	}
	got, _, _ := h.eventsAfter(recentCap*3-1, 10)
	if len(got) != 1 || got[0].ID != recentCap*3 {
		t.Errorf("newest: %v", got)
	}
}
