package textkey

import (
	"os"
	"strings"
	"testing"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

func TestSearchKeyMatchesSQL(t *testing.T) {
	if SQLiteErr != nil {
		t.Fatalf("wismo_search_key is not registered with the SQLite driver: %v", SQLiteErr)
	}
	db := storetest.Open(t)
	names := []string{"Петров Иван Сергеевич", "ФЁДОРОВА Юлия", "Щербаков Алексей", "JÜRGEN MÜLLER", "Émilie Côté", "Ахметов Бауыржан",
		"O'Brien-Smith", "Weiß", "Łukasz Żółć", "Ерёменко Пётр", "Zhuravlyov", "Ұлан Қасымов", "Ölçer Æsir Œuvre", "Kirill Aleksandrovich",
		"ЖЖЁНОВ", "Wassilij Tschaikowski", "", "  Anna  Maria  "}
	queries := map[string]string{"function": `SELECT wismo_search_key(CAST(? AS TEXT))`}
	if db.Dialect == store.SQLite {
		// The migration's plain-SQL backfill; the folded name appears twice in it.
		queries["plain SQL"] = `SELECT ` + SQLSQLite("CAST(? AS TEXT)")
	}
	for label, q := range queries {
		for _, n := range names {
			args := []any{n}
			if strings.Count(q, "?") == 2 {
				args = append(args, n)
			}
			var got string
			if err := db.SQL.QueryRow(db.Rebind(q), args...).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := Key(n); got != want {
				t.Errorf("%s, %q: SQL key %q, Go key %q", label, n, got, want)
			}
		}
	}
}

func TestMigrationsCarrySearchKey(t *testing.T) {
	for _, f := range []struct{ path, expr string }{
		{"../migrations/sqlite/00003_cases.sql", SQLSQLite("recipient_name")},
		{"../migrations/postgres/00003_cases.sql", SQLPostgres("$1")},
	} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), f.expr) {
			t.Errorf("%s does not carry the search key expression of textkey/textkey.go; a change to the key needs a new migration", f.path)
		}
	}
}
