"""The material sample customers are made of: names by origin, countries with their cities,
streets and phone ranges, businesses, tags, dates, notes, products and what was said.

Plain data only; `demo` draws from it with a seeded random generator, so changing anything
here changes the generated customers (and the cached bench database).
"""

#: Name pools by origin: (first names, last names). Customers mix origins, as a shop's do.
NAMES = {
    "en": ("Oliver Amelia Jack Isla Harry Ava George Emily Noah Grace Charlie Sophie Freddie "
           "Chloe Arthur Evie Leo Poppy Oscar Ruby Alfie Lily Thomas Megan James Hannah Siobhán "
           "Niamh Seán Aoife Anne Annie".split(),
           "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Robinson "
           "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke O'Brien Murphy "
           "Kelly McCarthy Campbell Hughes Edwards Byrne".split()),
    "de": ("Lukas Leonie Jonas Mia Felix Hannah Maximilian Lea Paul Emma Jürgen Anja Matthias "
           "Sabine Jörg Käthe Björn Ute Stefan Ines Moritz Greta Anna Annette "
           "Anneliese".split(),
           "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
           "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Krüger Hartmann "
           "Groß Weiß".split()),
    "fr": ("Zoë Léa Chloé Manon Camille Inès Hélène Amélie Élodie Gaëlle Louis Gabriel Raphaël "
           "Jules Théo Hugo Noël François Jérôme Loïc Anaïs Céline Anne Annick".split(),
           "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Lefèvre "
           "Girard Mercier Bonnet Fournier Rousseau Faure Gauthier Chevalier Lemaître".split()),
    "sv": ("Åsa Åke Björn Märta Göran Sören Linnéa Maja Elsa Alva Lars Anders Ingrid Karin "
           "Nils Per Ebba Örjan Astrid Sigrid Anna Annika".split(),
           "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson "
           "Gustafsson Lindström Ångström Bergström Sjöberg Löfgren Åberg Öberg "
           "Lindqvist".split()),
    "es": ("José María Lucía Sofía Martín Hugo Álvaro Inés Jesús Ramón Nuria Pilar Andrés "
           "Tomás Begoña Íñigo Carmen Raúl".split(),
           "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín "
           "Jiménez Ruiz Hernández Díaz Muñoz Álvarez Romero Núñez".split()),
    "it": ("Giulia Francesca Chiara Alessandro Matteo Lorenzo Niccolò Sofia Aurora Giuseppe "
           "Luca Elena Marco Federica Anna Andrea".split(),
           "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo "
           "Conti Mancini".split() + ["De Luca"]),
    "pl": ("Zofia Łukasz Małgorzata Paweł Agnieszka Krzysztof Katarzyna Wojciech Józef "
           "Bartłomiej Grażyna Michał Anna Hanna".split(),
           "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński "
           "Szymański Woźniak Dąbrowski Kozłowski".split()),
    "tr": ("Ayşe Fatma Emine Elif Zeynep Mehmet Mustafa Ahmet Çağla Gökhan Özge Barış".split(),
           "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan "
           "Doğan".split()),
    "nl": ("Daan Sem Fenna Julia Lotte Bram Sanne Joris Maartje Thijs Eline Ruud".split(),
           ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
            "Visser", "Smit", "Meijer", "de Boer", "Mulder"]),
    "pt": ("João Conceição Gonçalo Inês Beatriz Leonor Tiago Simão Sebastião Matilde".split(),
           "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Gonçalves Magalhães "
           "Araújo".split()),
    "no": ("Øyvind Bjørn Ingrid Kjersti Sigrún Eirik Solveig Tor".split(),
           "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Sæther "
           "Bråten".split()),
}
LOCAL_NAMES = {"GB": "en", "AU": "en", "US": "en", "DE": "de", "FR": "fr", "SE": "sv"}

#: Per country: how often its customers appear, street patterns, and its cities as
#: (city, postcode pattern with 9 = digit and A = letter, phone ranges (prefix, width, low, high)).
COUNTRIES = {
    "GB": (34, ("{n} High Street", "{n} Station Road", "{n} Church Lane", "Flat {n}, Mill House",
                "{n} Victoria Road", "{n} The Green"), (
        ("London", "E9 9AA", (("+44207946", 4, 0, 999),)),
        ("Leeds", "LS9 9AA", (("+44113496", 4, 0, 999),)),
        ("Sheffield", "S9 9AA", (("+44114496", 4, 0, 999),)),
        ("Nottingham", "NG9 9AA", (("+44115496", 4, 0, 999),)),
        ("Leicester", "LE9 9AA", (("+44116496", 4, 0, 999),)),
        ("Bristol", "BS9 9AA", (("+44117496", 4, 0, 999),)),
        ("Birmingham", "B9 9AA", (("+44121496", 4, 0, 999),)),
        ("Edinburgh", "EH9 9AA", (("+44131496", 4, 0, 999),)),
        ("Glasgow", "G9 9AA", (("+44141496", 4, 0, 999),)),
        ("Liverpool", "L9 9AA", (("+44151496", 4, 0, 999),)),
        ("Manchester", "M9 9AA", (("+44161496", 4, 0, 999),)),
        ("Newcastle upon Tyne", "NE9 9AA", (("+44191498", 4, 0, 999),)),
        ("Belfast", "BT9 9AA", (("+442896496", 3, 0, 999),)),
        ("Cardiff", "CF99 9AA", (("+44292018", 4, 0, 999),)))),
    "DE": (20, ("Hauptstraße {n}", "Bahnhofstraße {n}", "Gartenweg {n}", "Schillerstraße {n}",
                "Am Markt {n}", "Lindenallee {n}"), (
        ("Berlin", "10999", (("+493023125", 3, 0, 999),)),
        ("Frankfurt am Main", "60999", (("+496990009", 3, 0, 999),)),
        ("Hamburg", "20999", (("+494066969", 3, 0, 999),)),
        ("München", "80999", (("+498999998", 3, 0, 999),)),
        ("Köln", "50999", (("+492214710", 3, 0, 999),)))),
    "FR": (14, ("{n} rue de la République", "{n} rue des Lilas", "{n} avenue Jean Jaurès",
                "{n} place du Marché", "{n} boulevard Victor Hugo"), (
        ("Paris", "750999", (("+3319900", 4, 0, 9999),)),
        ("Rennes", "35999", (("+3326191", 4, 0, 9999),)),
        ("Nantes", "44999", (("+3326191", 4, 0, 9999),)),
        ("Lille", "59999", (("+3335301", 4, 0, 9999),)),
        ("Strasbourg", "67999", (("+3335301", 4, 0, 9999),)),
        ("Lyon", "69999", (("+3346571", 4, 0, 9999),)),
        ("Marseille", "13999", (("+3346571", 4, 0, 9999),)),
        ("Bordeaux", "33999", (("+3353649", 4, 0, 9999),)),
        ("Toulouse", "31999", (("+3353649", 4, 0, 9999),)))),
    "SE": (8, ("Storgatan {n}", "Drottninggatan {n}", "Kungsgatan {n}", "Skolvägen {n}",
               "Björkvägen {n}"), (
        ("Stockholm", "199 99", (("+46846500", 3, 400, 499), ("+4670174", 4, 605, 699))),
        ("Göteborg", "499 99", (("+46313900", 3, 600, 699), ("+4670174", 4, 605, 699))),
        ("Malmö", "299 99", (("+46406280", 3, 400, 499), ("+4670174", 4, 605, 699))),
        ("Kiruna", "989 99", (("+46980319", 3, 200, 299),)))),
    "AU": (10, ("{n} George Street", "{n} King Street", "{n} Beach Road", "Unit {n}, Park Lane"), (
        ("Sydney", "2999", (("+6125550", 4, 0, 9999),)),
        ("Melbourne", "3999", (("+6137010", 4, 0, 9999),)),
        ("Brisbane", "4999", (("+6175550", 4, 0, 9999),)),
        ("Adelaide", "5999", (("+6187010", 4, 0, 9999),)),
        ("Perth", "6999", (("+6187010", 4, 0, 9999),)))),
    "US": (14, ("{n} Main Street", "{n} Oak Avenue", "{n} Maple Drive", "{n} Elm Street",
                "Apt {n}, 5th Avenue"), (
        ("New York", "10099", (("+121255501", 2, 0, 99), ("+164655501", 2, 0, 99),
                               ("+171855501", 2, 0, 99))),
        ("Los Angeles", "90099", (("+121355501", 2, 0, 99), ("+131055501", 2, 0, 99))),
        ("Chicago", "60699", (("+131255501", 2, 0, 99),)),
        ("San Francisco", "94199", (("+141555501", 2, 0, 99),)),
        ("Seattle", "98199", (("+120655501", 2, 0, 99),)),
        ("Austin", "78799", (("+151255501", 2, 0, 99),)),
        ("Boston", "02199", (("+161755501", 2, 0, 99),)),
        ("Miami", "33199", (("+130555501", 2, 0, 99),)),
        ("Denver", "80299", (("+130355501", 2, 0, 99),)),
        ("Honolulu", "96899", (("+180855501", 2, 0, 99),)))),
}

BUSINESS_WORDS = ("Lumen", "Aurora", "Juniper", "Saffron", "Clover", "Olive", "Fjäril", "Sólo",
                  "Marigold", "Bergamot", "Hazel", "Linden", "Cédrat", "Ember", "Wren")
BUSINESS_PATTERNS = {
    "*": ("Studio {word}", "{word} Yoga", "Hotel {word}", "{word} & Co.", "Atelier {word}"),
    "GB": ("{last}'s Bakery", "The {word} Café", "{city} Flower Co.", "{last} & Daughters Deli"),
    "AU": ("{last}'s Bakery", "{word} Coffee Roasters", "{city} Florist"),
    "US": ("{last}'s Bakery", "{word} Coffee Co.", "{city} Wedding Flowers"),
    "DE": ("Bäckerei {last}", "Café {word}", "Blumen {last}", "Konditorei {last}"),
    "FR": ("Boulangerie {last}", "Café {word}", "Pâtisserie {last}", "Fleurs de {city}"),
    "SE": ("{last}s Bageri", "Kafé {word}", "Blommor i {city}"),
}

TAGS = ("vip", "vegetarian", "vegan", "gluten-free", "newsletter", "wholesale", "regular",
        "gift-buyer", "local", "tourist", "birthday club")
SOURCES = ("walk-in", "walk-in", "walk-in", "Instagram", "recommended by a friend",
           "Google Maps", "market stall", "website", "local newspaper", "Christmas fair",
           "Facebook")
DIETS = ("vegetarian", "vegan", "gluten-free", "lactose-free", "no nuts", "halal", "kosher",
         "pescatarian", "low sugar")
LIKES = ("sourdough", "almond croissants", "dark chocolate", "oat milk flat white", "lemon tart",
         "rye bread", "cinnamon buns", "earl grey", "fresh tulips", "linen", "hand-made ceramics",
         "scented candles", "olive oil", "aged cheddar", "matcha", "pistachio", "bright colours")
DISLIKES = ("coriander", "raisins", "strong perfume", "plastic packaging", "marzipan",
            "very sweet cakes", "loud music", "lilies", "coconut")
NOTES = ("Always in a hurry on Saturdays.", "Has two dogs, Bruno and Mia.",
         "Prefers WhatsApp to calls.", "Likes to chat about football.",
         "Buys gifts for the whole family at Christmas.", "Speaks French and Spanish.",
         "Comes in after yoga on Tuesdays.", "Allergic to nuts: double-check orders.",
         "Runs the café across the road.", "Pays by invoice, 30 days.",
         "Hard of hearing: speak up a little.", "Collects our seasonal mugs.")
SIZES = ("S / 36", "M / 38", "L / 40", "XL / 44", "shoe 38", "shoe 43", "ring 54")
CUSTOM_DAYS = ("Name day", "First visit", "Daughter's birthday", "Son's birthday",
               "Partner's birthday", "Mother's birthday", "Dog's birthday", "Graduation",
               "Moved in", "Shop opening", "Retirement")
CONSENT_SOURCES = ("in shop", "signup form", "by e-mail", "on the phone")
PRODUCTS = ("sourdough loaf", "almond croissants", "birthday cake", "gift box", "scented candle",
            "linen scarf", "ceramic mug", "coffee beans", "olive oil", "cheese board",
            "flower bouquet", "leather wallet", "tea sampler", "wedding cake", "gluten-free bread",
            "vegan brownies", "seasonal hamper")

#: Summaries per channel (in CHANNELS order of weight below), as (template, direction).
SUMMARIES = {
    "visit": (("Bought {p}.", "in"), ("Came in for {p}; asked about {q}.", "in"),
              ("Picked up the order ({p}).", "in"), ("Browsed, liked the {p}.", "in"),
              ("Swapped the {p} for {q}.", "in"), ("Tasted the {p}, took {q}.", "in")),
    "call": (("Asked whether {p} is back in stock.", "in"),
             ("Rang to order {p} for Saturday.", "in"),
             ("Called to say the {p} is ready.", "out"), ("Called about the {p} order.", "out")),
    "email": (("Sent the price list for {p}.", "out"), ("Asked for an invoice.", "in"),
              ("Confirmed the order of {p}.", "out"), ("Asked about delivery of {p}.", "in")),
    "whatsapp": (("Sent photos of the new {p}.", "out"), ("Asked to reserve {p}.", "in"),
                 ("Thanked us for the {p}.", "in"), ("Sent the pickup time for {p}.", "out")),
    "sms": (("Order ready for pickup.", "out"), ("Confirmed the pickup time.", "in")),
    "meeting": (("Tasting: tried {p} and {q}.", "out"),
                ("Discussed a regular order of {p}.", "out")),
    "other": (("Met at the market, talked about {p}.", "in"), ("Left a kind review.", "in")),
}
CHANNEL_WEIGHTS = (35, 50, 62, 82, 90, 95, 100)  # cumulative, in the order of SUMMARIES
_CHANNELS = tuple(SUMMARIES)
FOLLOW_UPS = ("Call when the {p} arrives", "Send the new price list", "Ask how the {p} went down",
              "Reserve {p} for the weekend", "Invite to the tasting evening",
              "Remind about the loyalty card", "Deliver the {p}", "Send photos of the {p}")

#: The sample shop's catalogue (a deli and grocery): category -> (how often it is bought,
#: products as (name, price in minor units)).
CATALOGUE = {
    "Bakery": (30, (("Sourdough loaf", 450), ("Rye bread", 420), ("Almond croissant", 280),
                    ("Cinnamon bun", 320), ("Baguette", 190), ("Gluten-free loaf", 550),
                    ("Lemon tart", 390))),
    "Coffee": (22, (("House espresso beans 250 g", 890), ("Ethiopian filter beans 250 g", 1150),
                    ("Decaf beans 250 g", 950), ("Oat milk flat white", 380),
                    ("Cold brew bottle", 420))),
    "Cheese": (18, (("Aged cheddar 200 g", 690), ("Comté 24 months 200 g", 990),
                    ("Manchego 200 g", 820), ("Gorgonzola 150 g", 640),
                    ("Brie de Meaux 200 g", 760), ("Goat's cheese log", 540))),
    "Vegetarian": (16, (("Lentil and squash soup", 550), ("Falafel wrap", 690),
                        ("Spinach and ricotta pie", 750), ("Vegan brownie", 340),
                        ("Halloumi salad box", 820), ("Mushroom pâté", 480))),
    "Wine": (10, (("Rioja Crianza", 1490), ("Sauvignon Blanc", 1290), ("Prosecco", 1390),
                  ("Côtes du Rhône", 1190), ("Natural orange wine", 2190))),
    "Deli": (14, (("Serrano ham 100 g", 590), ("Green olives", 390), ("Hummus", 350),
                  ("Smoked salmon 100 g", 790), ("Antipasti jar", 690))),
    "Pantry": (12, (("Extra virgin olive oil 500 ml", 1290), ("Wildflower honey", 890),
                    ("Fresh pasta 400 g", 480), ("Tomato passata", 290),
                    ("Sea salt flakes", 450))),
    "Sweets": (8, (("Dark chocolate 70%", 390), ("Salted caramels", 590),
                   ("Pistachio biscotti", 490))),
    "Gifts": (4, (("Seasonal hamper", 4500), ("Cheese board gift box", 3200),
                  ("Ceramic mug", 1400), ("Tea sampler", 1600))),
}
