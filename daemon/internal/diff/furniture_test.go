package diff

import "testing"

// Each shape of template furniture, in English, French, German and
// Spanish, and the sentences of an article that come close to one and
// must stay the article's.
func TestFurnitureShapes(t *testing.T) {
	n := newNoise(nil)
	furniture := func(text string) bool {
		ws := words(text)
		return n.volatile(ws) || furnitureShape(text, ws)
	}
	for _, c := range []struct {
		text string
		want bool
	}{
		// Credits and captions.
		{"Credit...Sam Keller/Riverton Courier", true},
		{"Credit: Sam Keller", true},
		{"Photo: Sam Keller/Valley Press Agency", true},
		{"Crédit : Marie Laval/Agence Riverton", true},
		{"Crédit photo : Marie Laval", true},
		{"Foto: Anna Berg/Agentur Riverton", true},
		{"Bild: Anna Berg", true},
		{"Fotografía: Ana Ruiz/Agencia Riverton", true},
		{"© Riverton Courier 2019", true},
		{"Residents waded through the flooded street on Monday. Credit: SAM KELLER/RIVERTON COURIER", true},
		{"Residents waded through the flooded street.CreditSam Keller for The Riverton Courier", true},
		{"Residents waded through the flooded street. Credit Sam Keller/Riverton Courier", true},
		{"Volunteers filled sandbags on Monday. (Sam Keller/Valley Press Agency)", true},
		{"Des habitants évacués, lundi. Photo : Marie Laval/Agence Riverton", true},
		{"The bank extended credit: a $5 million line to the city.", false},
		{"Residents told an analyst at Credit Riverton that the bridge would reopen.", false},
		{"The county split the cost between two agencies (Riverton Water/Power)", false},
		{"The county split the cost between two agencies (Riverton Water/Power).", false},
		{"Volunteers filled sandbags on Monday. (The mayor said more were needed.)", false},
		{"Photo: a man on the bridge, taken by a resident who asked not to be named", false},
		// Labels and kickers.
		{"Photo", true}, {"Image", true}, {"Video", true}, {"Supported by", true}, {"Anzeige", true},
		{"Publicidad", true}, {"Publicité", true}, {"Analysis", true}, {"Décryptage", true},
		{"Meinung", true}, {"Análisis", true}, {"Última hora", true},
		{"Photos show the river rising.", false},
		// Date lines.
		{"Updated March 5, 2019, 10:42 a.m. ET", true},
		{"Mis à jour le 5 mai 2015 à 10h32", true},
		{"Aktualisiert am 12. März 2019, 14:05 Uhr", true},
		{"Stand: 12.03.2019 14:05 Uhr", true},
		{"Actualizado: 12/03/2019 14:05 CET", true},
		{"Última actualización: 12 de marzo de 2019", true},
		{"The vote was moved to 10h32 on Monday.", false},
		// Notices of age.
		{"This article was published more than 4 years ago", true},
		{"This article is more than 5 years old", true},
		{"Cet article a été publié il y a plus de 4 ans", true},
		{"Dieser Artikel wurde vor mehr als 4 Jahren veröffentlicht", true},
		{"Este artículo fue publicado hace más de cuatro años", true},
		{"The photo was published more than 4 years ago by the city.", false},
		{"This article was published more than 4 years ago, the editor said, and is wrong.", false},
		// Link lines.
		{"Read more: Riverton braces for a second night of rain", true},
		{"Lire aussi : Les boîtes noires expliquées", true},
		{"À lire aussi | Les écoles transformées en abris", true},
		{"Lesen Sie auch: Hochwasser in Riverton", true},
		{"Lee también: Riverton, bajo el agua", true},
		{"Read more than 40 pages of the report and you find the warnings.", false},
		{"More — much more — is needed, the manager said.", false},
		{"Lire aussi les rapports de la ville, a dit le maire.", false},
		// Newsletter prompts.
		{"Sign up for River Watch, our weekly newsletter on the valley's most important stories", true},
		{"Abonnez-vous à notre newsletter pour recevoir l’essentiel de l’actualité", true},
		{"Abonnieren Sie unseren Newsletter", true},
		{"Suscríbete a nuestro boletín y recibe las noticias más importantes", true},
		{"Join the volunteers, the newsletter of the Red Cross said on Monday.", false},
		{"Sign up for sandbags at the fire station, the city said, as the newsletter went out late.", false},
		// Print lines.
		{"A version of this article appears in print on March 5, 2019, on Page A7 of the New York edition.", true},
		{"Cet article est paru dans l’édition du 6 mars 2019.", true},
		{"Dieser Artikel erschien in der Printausgabe vom 6. März 2019.", true},
		{"Este artículo apareció en la edición impresa del 6 de marzo de 2019.", true},
		{"A version of the plan that the council approved puts the cost at $12 million.", false},
	} {
		if got := furniture(c.text); got != c.want {
			t.Errorf("%q: furniture %v, want %v", c.text, got, c.want)
		}
	}
}
