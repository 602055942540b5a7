package geo

// Time-zone lookup tables for recipients. All zone names are IANA tzdata
// names that Go's embedded database (time/tzdata) can load; see
// geo_tables_test.go.

// regionZones maps an ISO 3166-2 subdivision code (upper case, e.g. "RU-NVS") to the IANA zone
// that wismo uses for recipients in that subdivision. Subdivisions that span several zones map
// to their main (most populous) zone.
//
// Only countries that span several zones are listed; for any other country
// countryZones is authoritative.
var regionZones = map[string]string{
	// Russia: all 83 federal subjects listed in ISO 3166-2:RU. Subjects that
	// span several zones map to the zone of most of their population:
	// RU-SA (Sakha) also contains Asia/Khandyga, Asia/Ust-Nera and
	// Asia/Srednekolymsk, which are therefore reachable only through RU-SA's
	// main zone Asia/Yakutsk. The northern Kuril Islands in RU-SAK also use
	// Asia/Srednekolymsk.
	//
	// Republics.
	"RU-AD": "Europe/Moscow",      // Adygea
	"RU-AL": "Asia/Barnaul",       // Altai Republic
	"RU-BA": "Asia/Yekaterinburg", // Bashkortostan
	"RU-BU": "Asia/Irkutsk",       // Buryatia
	"RU-CE": "Europe/Moscow",      // Chechnya
	"RU-CU": "Europe/Moscow",      // Chuvashia
	"RU-DA": "Europe/Moscow",      // Dagestan
	"RU-IN": "Europe/Moscow",      // Ingushetia
	"RU-KB": "Europe/Moscow",      // Kabardino-Balkaria
	"RU-KL": "Europe/Moscow",      // Kalmykia
	"RU-KC": "Europe/Moscow",      // Karachay-Cherkessia
	"RU-KR": "Europe/Moscow",      // Karelia
	"RU-KO": "Europe/Moscow",      // Komi
	"RU-ME": "Europe/Moscow",      // Mari El
	"RU-MO": "Europe/Moscow",      // Mordovia
	"RU-SA": "Asia/Yakutsk",       // Sakha (Yakutia); see note above
	"RU-SE": "Europe/Moscow",      // North Ossetia-Alania
	"RU-TA": "Europe/Moscow",      // Tatarstan
	"RU-TY": "Asia/Krasnoyarsk",   // Tuva
	"RU-UD": "Europe/Samara",      // Udmurtia
	"RU-KK": "Asia/Krasnoyarsk",   // Khakassia
	// Krais.
	"RU-ALT": "Asia/Barnaul",       // Altai Krai
	"RU-ZAB": "Asia/Chita",         // Zabaykalsky Krai
	"RU-KAM": "Asia/Kamchatka",     // Kamchatka Krai
	"RU-KDA": "Europe/Moscow",      // Krasnodar Krai
	"RU-KYA": "Asia/Krasnoyarsk",   // Krasnoyarsk Krai
	"RU-PER": "Asia/Yekaterinburg", // Perm Krai
	"RU-PRI": "Asia/Vladivostok",   // Primorsky Krai
	"RU-STA": "Europe/Moscow",      // Stavropol Krai
	"RU-KHA": "Asia/Vladivostok",   // Khabarovsk Krai
	// Oblasts.
	"RU-AMU": "Asia/Yakutsk",       // Amur
	"RU-ARK": "Europe/Moscow",      // Arkhangelsk
	"RU-AST": "Europe/Astrakhan",   // Astrakhan
	"RU-BEL": "Europe/Moscow",      // Belgorod
	"RU-BRY": "Europe/Moscow",      // Bryansk
	"RU-VLA": "Europe/Moscow",      // Vladimir
	"RU-VGG": "Europe/Volgograd",   // Volgograd
	"RU-VLG": "Europe/Moscow",      // Vologda
	"RU-VOR": "Europe/Moscow",      // Voronezh
	"RU-IVA": "Europe/Moscow",      // Ivanovo
	"RU-IRK": "Asia/Irkutsk",       // Irkutsk
	"RU-KGD": "Europe/Kaliningrad", // Kaliningrad
	"RU-KLU": "Europe/Moscow",      // Kaluga
	"RU-KEM": "Asia/Novokuznetsk",  // Kemerovo
	"RU-KIR": "Europe/Kirov",       // Kirov
	"RU-KOS": "Europe/Moscow",      // Kostroma
	"RU-KGN": "Asia/Yekaterinburg", // Kurgan
	"RU-KRS": "Europe/Moscow",      // Kursk
	"RU-LEN": "Europe/Moscow",      // Leningrad
	"RU-LIP": "Europe/Moscow",      // Lipetsk
	"RU-MAG": "Asia/Magadan",       // Magadan
	"RU-MOS": "Europe/Moscow",      // Moscow Oblast
	"RU-MUR": "Europe/Moscow",      // Murmansk
	"RU-NIZ": "Europe/Moscow",      // Nizhny Novgorod
	"RU-NGR": "Europe/Moscow",      // Novgorod
	"RU-NVS": "Asia/Novosibirsk",   // Novosibirsk
	"RU-OMS": "Asia/Omsk",          // Omsk
	"RU-ORE": "Asia/Yekaterinburg", // Orenburg
	"RU-ORL": "Europe/Moscow",      // Oryol
	"RU-PNZ": "Europe/Moscow",      // Penza
	"RU-PSK": "Europe/Moscow",      // Pskov
	"RU-ROS": "Europe/Moscow",      // Rostov
	"RU-RYA": "Europe/Moscow",      // Ryazan
	"RU-SAM": "Europe/Samara",      // Samara
	"RU-SAR": "Europe/Saratov",     // Saratov
	"RU-SAK": "Asia/Sakhalin",      // Sakhalin; see note above
	"RU-SVE": "Asia/Yekaterinburg", // Sverdlovsk
	"RU-SMO": "Europe/Moscow",      // Smolensk
	"RU-TAM": "Europe/Moscow",      // Tambov
	"RU-TVE": "Europe/Moscow",      // Tver
	"RU-TOM": "Asia/Tomsk",         // Tomsk
	"RU-TUL": "Europe/Moscow",      // Tula
	"RU-TYU": "Asia/Yekaterinburg", // Tyumen
	"RU-ULY": "Europe/Ulyanovsk",   // Ulyanovsk
	"RU-CHE": "Asia/Yekaterinburg", // Chelyabinsk
	"RU-YAR": "Europe/Moscow",      // Yaroslavl
	// Federal cities.
	"RU-MOW": "Europe/Moscow", // Moscow
	"RU-SPE": "Europe/Moscow", // Saint Petersburg
	// Autonomous oblast.
	"RU-YEV": "Asia/Vladivostok", // Jewish Autonomous Oblast
	// Autonomous okrugs.
	"RU-NEN": "Europe/Moscow",      // Nenets
	"RU-KHM": "Asia/Yekaterinburg", // Khanty-Mansi (Yugra)
	"RU-CHU": "Asia/Anadyr",        // Chukotka
	"RU-YAN": "Asia/Yekaterinburg", // Yamalo-Nenets

	// United States: 50 states and DC (ISO 3166-2:US), plus the six outlying
	// areas that ISO 3166-2:US also lists (they have their own alpha-2 codes
	// too, but US addresses commonly carry them as a state).
	"US-AL": "America/Chicago",              // Alabama
	"US-AK": "America/Anchorage",            // Alaska
	"US-AZ": "America/Phoenix",              // Arizona
	"US-AR": "America/Chicago",              // Arkansas
	"US-CA": "America/Los_Angeles",          // California
	"US-CO": "America/Denver",               // Colorado
	"US-CT": "America/New_York",             // Connecticut
	"US-DE": "America/New_York",             // Delaware
	"US-DC": "America/New_York",             // District of Columbia
	"US-FL": "America/New_York",             // Florida (panhandle: America/Chicago)
	"US-GA": "America/New_York",             // Georgia
	"US-HI": "Pacific/Honolulu",             // Hawaii
	"US-ID": "America/Boise",                // Idaho (panhandle: America/Los_Angeles)
	"US-IL": "America/Chicago",              // Illinois
	"US-IN": "America/Indiana/Indianapolis", // Indiana
	"US-IA": "America/Chicago",              // Iowa
	"US-KS": "America/Chicago",              // Kansas
	"US-KY": "America/New_York",             // Kentucky (also America/Kentucky/Louisville, west: America/Chicago)
	"US-LA": "America/Chicago",              // Louisiana
	"US-ME": "America/New_York",             // Maine
	"US-MD": "America/New_York",             // Maryland
	"US-MA": "America/New_York",             // Massachusetts
	"US-MI": "America/Detroit",              // Michigan
	"US-MN": "America/Chicago",              // Minnesota
	"US-MS": "America/Chicago",              // Mississippi
	"US-MO": "America/Chicago",              // Missouri
	"US-MT": "America/Denver",               // Montana
	"US-NE": "America/Chicago",              // Nebraska
	"US-NV": "America/Los_Angeles",          // Nevada
	"US-NH": "America/New_York",             // New Hampshire
	"US-NJ": "America/New_York",             // New Jersey
	"US-NM": "America/Denver",               // New Mexico
	"US-NY": "America/New_York",             // New York
	"US-NC": "America/New_York",             // North Carolina
	"US-ND": "America/Chicago",              // North Dakota
	"US-OH": "America/New_York",             // Ohio
	"US-OK": "America/Chicago",              // Oklahoma
	"US-OR": "America/Los_Angeles",          // Oregon
	"US-PA": "America/New_York",             // Pennsylvania
	"US-RI": "America/New_York",             // Rhode Island
	"US-SC": "America/New_York",             // South Carolina
	"US-SD": "America/Chicago",              // South Dakota
	"US-TN": "America/Chicago",              // Tennessee (east: America/New_York)
	"US-TX": "America/Chicago",              // Texas
	"US-UT": "America/Denver",               // Utah
	"US-VT": "America/New_York",             // Vermont
	"US-VA": "America/New_York",             // Virginia
	"US-WA": "America/Los_Angeles",          // Washington
	"US-WV": "America/New_York",             // West Virginia
	"US-WI": "America/Chicago",              // Wisconsin
	"US-WY": "America/Denver",               // Wyoming
	"US-AS": "Pacific/Pago_Pago",            // American Samoa
	"US-GU": "Pacific/Guam",                 // Guam
	"US-MP": "Pacific/Saipan",               // Northern Mariana Islands
	"US-PR": "America/Puerto_Rico",          // Puerto Rico
	"US-UM": "Pacific/Wake",                 // U.S. Minor Outlying Islands
	"US-VI": "America/St_Thomas",            // U.S. Virgin Islands

	// Canada: 10 provinces and 3 territories.
	"CA-AB": "America/Edmonton",   // Alberta
	"CA-BC": "America/Vancouver",  // British Columbia
	"CA-MB": "America/Winnipeg",   // Manitoba
	"CA-NB": "America/Moncton",    // New Brunswick
	"CA-NL": "America/St_Johns",   // Newfoundland and Labrador
	"CA-NS": "America/Halifax",    // Nova Scotia
	"CA-NT": "America/Edmonton",   // Northwest Territories (Yellowknife)
	"CA-NU": "America/Iqaluit",    // Nunavut
	"CA-ON": "America/Toronto",    // Ontario
	"CA-PE": "America/Halifax",    // Prince Edward Island
	"CA-QC": "America/Toronto",    // Quebec
	"CA-SK": "America/Regina",     // Saskatchewan
	"CA-YT": "America/Whitehorse", // Yukon

	// Australia: 6 states and 2 mainland territories.
	"AU-ACT": "Australia/Sydney",    // Australian Capital Territory
	"AU-NSW": "Australia/Sydney",    // New South Wales
	"AU-NT":  "Australia/Darwin",    // Northern Territory
	"AU-QLD": "Australia/Brisbane",  // Queensland
	"AU-SA":  "Australia/Adelaide",  // South Australia
	"AU-TAS": "Australia/Hobart",    // Tasmania
	"AU-VIC": "Australia/Melbourne", // Victoria
	"AU-WA":  "Australia/Perth",     // Western Australia

	// Brazil: 26 states and the Federal District.
	"BR-AC": "America/Rio_Branco",   // Acre
	"BR-AL": "America/Maceio",       // Alagoas
	"BR-AP": "America/Belem",        // Amapá
	"BR-AM": "America/Manaus",       // Amazonas (west: America/Eirunepe)
	"BR-BA": "America/Bahia",        // Bahia
	"BR-CE": "America/Fortaleza",    // Ceará
	"BR-DF": "America/Sao_Paulo",    // Distrito Federal
	"BR-ES": "America/Sao_Paulo",    // Espírito Santo
	"BR-GO": "America/Sao_Paulo",    // Goiás
	"BR-MA": "America/Fortaleza",    // Maranhão
	"BR-MT": "America/Cuiaba",       // Mato Grosso
	"BR-MS": "America/Campo_Grande", // Mato Grosso do Sul
	"BR-MG": "America/Sao_Paulo",    // Minas Gerais
	"BR-PA": "America/Belem",        // Pará (west: America/Santarem)
	"BR-PB": "America/Fortaleza",    // Paraíba
	"BR-PR": "America/Sao_Paulo",    // Paraná
	"BR-PE": "America/Recife",       // Pernambuco (Fernando de Noronha: America/Noronha)
	"BR-PI": "America/Fortaleza",    // Piauí
	"BR-RJ": "America/Sao_Paulo",    // Rio de Janeiro
	"BR-RN": "America/Fortaleza",    // Rio Grande do Norte
	"BR-RS": "America/Sao_Paulo",    // Rio Grande do Sul
	"BR-RO": "America/Porto_Velho",  // Rondônia
	"BR-RR": "America/Boa_Vista",    // Roraima
	"BR-SC": "America/Sao_Paulo",    // Santa Catarina
	"BR-SP": "America/Sao_Paulo",    // São Paulo
	"BR-SE": "America/Maceio",       // Sergipe
	"BR-TO": "America/Araguaina",    // Tocantins

	// Mexico: 31 states and Mexico City (MX-CMX, formerly MX-DIF).
	"MX-AGU": "America/Mexico_City", // Aguascalientes
	"MX-BCN": "America/Tijuana",     // Baja California
	"MX-BCS": "America/Mazatlan",    // Baja California Sur
	"MX-CAM": "America/Merida",      // Campeche
	"MX-CHP": "America/Mexico_City", // Chiapas
	"MX-CHH": "America/Chihuahua",   // Chihuahua (Ciudad Juárez: America/Ciudad_Juarez)
	"MX-CMX": "America/Mexico_City", // Ciudad de México
	"MX-COA": "America/Monterrey",   // Coahuila
	"MX-COL": "America/Mexico_City", // Colima
	"MX-DUR": "America/Monterrey",   // Durango
	"MX-GUA": "America/Mexico_City", // Guanajuato
	"MX-GRO": "America/Mexico_City", // Guerrero
	"MX-HID": "America/Mexico_City", // Hidalgo
	"MX-JAL": "America/Mexico_City", // Jalisco
	"MX-MEX": "America/Mexico_City", // México (state)
	"MX-MIC": "America/Mexico_City", // Michoacán
	"MX-MOR": "America/Mexico_City", // Morelos
	"MX-NAY": "America/Mazatlan",    // Nayarit (Bahía de Banderas: America/Bahia_Banderas)
	"MX-NLE": "America/Monterrey",   // Nuevo León
	"MX-OAX": "America/Mexico_City", // Oaxaca
	"MX-PUE": "America/Mexico_City", // Puebla
	"MX-QUE": "America/Mexico_City", // Querétaro
	"MX-ROO": "America/Cancun",      // Quintana Roo
	"MX-SLP": "America/Mexico_City", // San Luis Potosí
	"MX-SIN": "America/Mazatlan",    // Sinaloa
	"MX-SON": "America/Hermosillo",  // Sonora
	"MX-TAB": "America/Mexico_City", // Tabasco
	"MX-TAM": "America/Monterrey",   // Tamaulipas (border: America/Matamoros)
	"MX-TLA": "America/Mexico_City", // Tlaxcala
	"MX-VER": "America/Mexico_City", // Veracruz
	"MX-YUC": "America/Merida",      // Yucatán
	"MX-ZAC": "America/Mexico_City", // Zacatecas

	// Kazakhstan: 17 regions and 3 cities with their current numeric
	// ISO 3166-2:KZ codes (KZ-10 Abay, KZ-33 Jetisu and KZ-62 Ulytau were
	// added after the 2022 reform). All of Kazakhstan has been on UTC+5 since
	// 2024-03-01, but each region keeps its own tzdata zone for history.
	"KZ-10": "Asia/Almaty",    // Abay Region
	"KZ-11": "Asia/Almaty",    // Akmola Region
	"KZ-15": "Asia/Aqtobe",    // Aktobe Region
	"KZ-19": "Asia/Almaty",    // Almaty Region
	"KZ-23": "Asia/Atyrau",    // Atyrau Region
	"KZ-27": "Asia/Oral",      // West Kazakhstan Region
	"KZ-31": "Asia/Almaty",    // Jambyl Region
	"KZ-33": "Asia/Almaty",    // Jetisu Region
	"KZ-35": "Asia/Almaty",    // Karaganda Region
	"KZ-39": "Asia/Qostanay",  // Kostanay Region
	"KZ-43": "Asia/Qyzylorda", // Kyzylorda Region
	"KZ-47": "Asia/Aqtau",     // Mangystau Region
	"KZ-55": "Asia/Almaty",    // Pavlodar Region
	"KZ-59": "Asia/Almaty",    // North Kazakhstan Region
	"KZ-61": "Asia/Almaty",    // Turkistan Region
	"KZ-62": "Asia/Almaty",    // Ulytau Region
	"KZ-63": "Asia/Almaty",    // East Kazakhstan Region
	"KZ-71": "Asia/Almaty",    // Astana (city)
	"KZ-75": "Asia/Almaty",    // Almaty (city)
	"KZ-79": "Asia/Almaty",    // Shymkent (city)
	// Former alphabetic ISO 3166-2:KZ codes (replaced by the numeric codes in
	// 2020), kept because older address data still carries them.
	"KZ-AKM": "Asia/Almaty",    // Akmola Region
	"KZ-AKT": "Asia/Aqtobe",    // Aktobe Region
	"KZ-ALA": "Asia/Almaty",    // Almaty (city)
	"KZ-ALM": "Asia/Almaty",    // Almaty Region
	"KZ-AST": "Asia/Almaty",    // Astana (city)
	"KZ-ATY": "Asia/Atyrau",    // Atyrau Region
	"KZ-KAR": "Asia/Almaty",    // Karaganda Region
	"KZ-KUS": "Asia/Qostanay",  // Kostanay Region
	"KZ-KZY": "Asia/Qyzylorda", // Kyzylorda Region
	"KZ-MAN": "Asia/Aqtau",     // Mangystau Region
	"KZ-PAV": "Asia/Almaty",    // Pavlodar Region
	"KZ-SEV": "Asia/Almaty",    // North Kazakhstan Region
	"KZ-SHY": "Asia/Almaty",    // Shymkent (city)
	"KZ-VOS": "Asia/Almaty",    // East Kazakhstan Region
	"KZ-YUZ": "Asia/Almaty",    // South Kazakhstan (now Turkistan) Region
	"KZ-ZAP": "Asia/Oral",      // West Kazakhstan Region
	"KZ-ZHA": "Asia/Almaty",    // Jambyl Region
}

// countryZones maps every ISO 3166-1 alpha-2 country code to its main IANA zone (the zone of
// the capital or of most of the population). Its key set is also wismo's list of valid
// country codes.
//
// Derived from tzdata's zone.tab and iso3166.tab (249 officially assigned
// codes; user-assigned codes such as XK are not included). BV (Bouvet Island)
// and HM (Heard and McDonald Islands) are uninhabited and have no tzdata zone;
// they map to Etc/UTC and to the nearest inhabited zone, Indian/Kerguelen.
var countryZones = map[string]string{
	"AD": "Europe/Andorra",                 // Andorra
	"AE": "Asia/Dubai",                     // United Arab Emirates
	"AF": "Asia/Kabul",                     // Afghanistan
	"AG": "America/Antigua",                // Antigua & Barbuda
	"AI": "America/Anguilla",               // Anguilla
	"AL": "Europe/Tirane",                  // Albania
	"AM": "Asia/Yerevan",                   // Armenia
	"AO": "Africa/Luanda",                  // Angola
	"AQ": "Antarctica/McMurdo",             // Antarctica
	"AR": "America/Argentina/Buenos_Aires", // Argentina
	"AS": "Pacific/Pago_Pago",              // Samoa (American)
	"AT": "Europe/Vienna",                  // Austria
	"AU": "Australia/Sydney",               // Australia
	"AW": "America/Aruba",                  // Aruba
	"AX": "Europe/Mariehamn",               // Åland Islands
	"AZ": "Asia/Baku",                      // Azerbaijan
	"BA": "Europe/Sarajevo",                // Bosnia & Herzegovina
	"BB": "America/Barbados",               // Barbados
	"BD": "Asia/Dhaka",                     // Bangladesh
	"BE": "Europe/Brussels",                // Belgium
	"BF": "Africa/Ouagadougou",             // Burkina Faso
	"BG": "Europe/Sofia",                   // Bulgaria
	"BH": "Asia/Bahrain",                   // Bahrain
	"BI": "Africa/Bujumbura",               // Burundi
	"BJ": "Africa/Porto-Novo",              // Benin
	"BL": "America/St_Barthelemy",          // St Barthelemy
	"BM": "Atlantic/Bermuda",               // Bermuda
	"BN": "Asia/Brunei",                    // Brunei
	"BO": "America/La_Paz",                 // Bolivia
	"BQ": "America/Kralendijk",             // Caribbean NL
	"BR": "America/Sao_Paulo",              // Brazil
	"BS": "America/Nassau",                 // Bahamas
	"BT": "Asia/Thimphu",                   // Bhutan
	"BV": "Etc/UTC",                        // Bouvet Island
	"BW": "Africa/Gaborone",                // Botswana
	"BY": "Europe/Minsk",                   // Belarus
	"BZ": "America/Belize",                 // Belize
	"CA": "America/Toronto",                // Canada
	"CC": "Indian/Cocos",                   // Cocos (Keeling) Islands
	"CD": "Africa/Kinshasa",                // Congo (Dem. Rep.)
	"CF": "Africa/Bangui",                  // Central African Rep.
	"CG": "Africa/Brazzaville",             // Congo (Rep.)
	"CH": "Europe/Zurich",                  // Switzerland
	"CI": "Africa/Abidjan",                 // Côte d'Ivoire
	"CK": "Pacific/Rarotonga",              // Cook Islands
	"CL": "America/Santiago",               // Chile
	"CM": "Africa/Douala",                  // Cameroon
	"CN": "Asia/Shanghai",                  // China
	"CO": "America/Bogota",                 // Colombia
	"CR": "America/Costa_Rica",             // Costa Rica
	"CU": "America/Havana",                 // Cuba
	"CV": "Atlantic/Cape_Verde",            // Cape Verde
	"CW": "America/Curacao",                // Curaçao
	"CX": "Indian/Christmas",               // Christmas Island
	"CY": "Asia/Nicosia",                   // Cyprus
	"CZ": "Europe/Prague",                  // Czech Republic
	"DE": "Europe/Berlin",                  // Germany
	"DJ": "Africa/Djibouti",                // Djibouti
	"DK": "Europe/Copenhagen",              // Denmark
	"DM": "America/Dominica",               // Dominica
	"DO": "America/Santo_Domingo",          // Dominican Republic
	"DZ": "Africa/Algiers",                 // Algeria
	"EC": "America/Guayaquil",              // Ecuador
	"EE": "Europe/Tallinn",                 // Estonia
	"EG": "Africa/Cairo",                   // Egypt
	"EH": "Africa/El_Aaiun",                // Western Sahara
	"ER": "Africa/Asmara",                  // Eritrea
	"ES": "Europe/Madrid",                  // Spain
	"ET": "Africa/Addis_Ababa",             // Ethiopia
	"FI": "Europe/Helsinki",                // Finland
	"FJ": "Pacific/Fiji",                   // Fiji
	"FK": "Atlantic/Stanley",               // Falkland Islands
	"FM": "Pacific/Pohnpei",                // Micronesia
	"FO": "Atlantic/Faroe",                 // Faroe Islands
	"FR": "Europe/Paris",                   // France
	"GA": "Africa/Libreville",              // Gabon
	"GB": "Europe/London",                  // Britain (UK)
	"GD": "America/Grenada",                // Grenada
	"GE": "Asia/Tbilisi",                   // Georgia
	"GF": "America/Cayenne",                // French Guiana
	"GG": "Europe/Guernsey",                // Guernsey
	"GH": "Africa/Accra",                   // Ghana
	"GI": "Europe/Gibraltar",               // Gibraltar
	"GL": "America/Nuuk",                   // Greenland
	"GM": "Africa/Banjul",                  // Gambia
	"GN": "Africa/Conakry",                 // Guinea
	"GP": "America/Guadeloupe",             // Guadeloupe
	"GQ": "Africa/Malabo",                  // Equatorial Guinea
	"GR": "Europe/Athens",                  // Greece
	"GS": "Atlantic/South_Georgia",         // South Georgia & the South Sandwich Islands
	"GT": "America/Guatemala",              // Guatemala
	"GU": "Pacific/Guam",                   // Guam
	"GW": "Africa/Bissau",                  // Guinea-Bissau
	"GY": "America/Guyana",                 // Guyana
	"HK": "Asia/Hong_Kong",                 // Hong Kong
	"HM": "Indian/Kerguelen",               // Heard Island & McDonald Islands
	"HN": "America/Tegucigalpa",            // Honduras
	"HR": "Europe/Zagreb",                  // Croatia
	"HT": "America/Port-au-Prince",         // Haiti
	"HU": "Europe/Budapest",                // Hungary
	"ID": "Asia/Jakarta",                   // Indonesia
	"IE": "Europe/Dublin",                  // Ireland
	"IL": "Asia/Jerusalem",                 // Israel
	"IM": "Europe/Isle_of_Man",             // Isle of Man
	"IN": "Asia/Kolkata",                   // India
	"IO": "Indian/Chagos",                  // British Indian Ocean Territory
	"IQ": "Asia/Baghdad",                   // Iraq
	"IR": "Asia/Tehran",                    // Iran
	"IS": "Atlantic/Reykjavik",             // Iceland
	"IT": "Europe/Rome",                    // Italy
	"JE": "Europe/Jersey",                  // Jersey
	"JM": "America/Jamaica",                // Jamaica
	"JO": "Asia/Amman",                     // Jordan
	"JP": "Asia/Tokyo",                     // Japan
	"KE": "Africa/Nairobi",                 // Kenya
	"KG": "Asia/Bishkek",                   // Kyrgyzstan
	"KH": "Asia/Phnom_Penh",                // Cambodia
	"KI": "Pacific/Tarawa",                 // Kiribati
	"KM": "Indian/Comoro",                  // Comoros
	"KN": "America/St_Kitts",               // St Kitts & Nevis
	"KP": "Asia/Pyongyang",                 // Korea (North)
	"KR": "Asia/Seoul",                     // Korea (South)
	"KW": "Asia/Kuwait",                    // Kuwait
	"KY": "America/Cayman",                 // Cayman Islands
	"KZ": "Asia/Almaty",                    // Kazakhstan
	"LA": "Asia/Vientiane",                 // Laos
	"LB": "Asia/Beirut",                    // Lebanon
	"LC": "America/St_Lucia",               // St Lucia
	"LI": "Europe/Vaduz",                   // Liechtenstein
	"LK": "Asia/Colombo",                   // Sri Lanka
	"LR": "Africa/Monrovia",                // Liberia
	"LS": "Africa/Maseru",                  // Lesotho
	"LT": "Europe/Vilnius",                 // Lithuania
	"LU": "Europe/Luxembourg",              // Luxembourg
	"LV": "Europe/Riga",                    // Latvia
	"LY": "Africa/Tripoli",                 // Libya
	"MA": "Africa/Casablanca",              // Morocco
	"MC": "Europe/Monaco",                  // Monaco
	"MD": "Europe/Chisinau",                // Moldova
	"ME": "Europe/Podgorica",               // Montenegro
	"MF": "America/Marigot",                // St Martin (French)
	"MG": "Indian/Antananarivo",            // Madagascar
	"MH": "Pacific/Majuro",                 // Marshall Islands
	"MK": "Europe/Skopje",                  // North Macedonia
	"ML": "Africa/Bamako",                  // Mali
	"MM": "Asia/Yangon",                    // Myanmar (Burma)
	"MN": "Asia/Ulaanbaatar",               // Mongolia
	"MO": "Asia/Macau",                     // Macau
	"MP": "Pacific/Saipan",                 // Northern Mariana Islands
	"MQ": "America/Martinique",             // Martinique
	"MR": "Africa/Nouakchott",              // Mauritania
	"MS": "America/Montserrat",             // Montserrat
	"MT": "Europe/Malta",                   // Malta
	"MU": "Indian/Mauritius",               // Mauritius
	"MV": "Indian/Maldives",                // Maldives
	"MW": "Africa/Blantyre",                // Malawi
	"MX": "America/Mexico_City",            // Mexico
	"MY": "Asia/Kuala_Lumpur",              // Malaysia
	"MZ": "Africa/Maputo",                  // Mozambique
	"NA": "Africa/Windhoek",                // Namibia
	"NC": "Pacific/Noumea",                 // New Caledonia
	"NE": "Africa/Niamey",                  // Niger
	"NF": "Pacific/Norfolk",                // Norfolk Island
	"NG": "Africa/Lagos",                   // Nigeria
	"NI": "America/Managua",                // Nicaragua
	"NL": "Europe/Amsterdam",               // Netherlands
	"NO": "Europe/Oslo",                    // Norway
	"NP": "Asia/Kathmandu",                 // Nepal
	"NR": "Pacific/Nauru",                  // Nauru
	"NU": "Pacific/Niue",                   // Niue
	"NZ": "Pacific/Auckland",               // New Zealand
	"OM": "Asia/Muscat",                    // Oman
	"PA": "America/Panama",                 // Panama
	"PE": "America/Lima",                   // Peru
	"PF": "Pacific/Tahiti",                 // French Polynesia
	"PG": "Pacific/Port_Moresby",           // Papua New Guinea
	"PH": "Asia/Manila",                    // Philippines
	"PK": "Asia/Karachi",                   // Pakistan
	"PL": "Europe/Warsaw",                  // Poland
	"PM": "America/Miquelon",               // St Pierre & Miquelon
	"PN": "Pacific/Pitcairn",               // Pitcairn
	"PR": "America/Puerto_Rico",            // Puerto Rico
	"PS": "Asia/Hebron",                    // Palestine
	"PT": "Europe/Lisbon",                  // Portugal
	"PW": "Pacific/Palau",                  // Palau
	"PY": "America/Asuncion",               // Paraguay
	"QA": "Asia/Qatar",                     // Qatar
	"RE": "Indian/Reunion",                 // Réunion
	"RO": "Europe/Bucharest",               // Romania
	"RS": "Europe/Belgrade",                // Serbia
	"RU": "Europe/Moscow",                  // Russia
	"RW": "Africa/Kigali",                  // Rwanda
	"SA": "Asia/Riyadh",                    // Saudi Arabia
	"SB": "Pacific/Guadalcanal",            // Solomon Islands
	"SC": "Indian/Mahe",                    // Seychelles
	"SD": "Africa/Khartoum",                // Sudan
	"SE": "Europe/Stockholm",               // Sweden
	"SG": "Asia/Singapore",                 // Singapore
	"SH": "Atlantic/St_Helena",             // St Helena
	"SI": "Europe/Ljubljana",               // Slovenia
	"SJ": "Arctic/Longyearbyen",            // Svalbard & Jan Mayen
	"SK": "Europe/Bratislava",              // Slovakia
	"SL": "Africa/Freetown",                // Sierra Leone
	"SM": "Europe/San_Marino",              // San Marino
	"SN": "Africa/Dakar",                   // Senegal
	"SO": "Africa/Mogadishu",               // Somalia
	"SR": "America/Paramaribo",             // Suriname
	"SS": "Africa/Juba",                    // South Sudan
	"ST": "Africa/Sao_Tome",                // Sao Tome & Principe
	"SV": "America/El_Salvador",            // El Salvador
	"SX": "America/Lower_Princes",          // St Maarten (Dutch)
	"SY": "Asia/Damascus",                  // Syria
	"SZ": "Africa/Mbabane",                 // Eswatini (Swaziland)
	"TC": "America/Grand_Turk",             // Turks & Caicos Is
	"TD": "Africa/Ndjamena",                // Chad
	"TF": "Indian/Kerguelen",               // French S. Terr.
	"TG": "Africa/Lome",                    // Togo
	"TH": "Asia/Bangkok",                   // Thailand
	"TJ": "Asia/Dushanbe",                  // Tajikistan
	"TK": "Pacific/Fakaofo",                // Tokelau
	"TL": "Asia/Dili",                      // East Timor
	"TM": "Asia/Ashgabat",                  // Turkmenistan
	"TN": "Africa/Tunis",                   // Tunisia
	"TO": "Pacific/Tongatapu",              // Tonga
	"TR": "Europe/Istanbul",                // Turkey
	"TT": "America/Port_of_Spain",          // Trinidad & Tobago
	"TV": "Pacific/Funafuti",               // Tuvalu
	"TW": "Asia/Taipei",                    // Taiwan
	"TZ": "Africa/Dar_es_Salaam",           // Tanzania
	"UA": "Europe/Kyiv",                    // Ukraine
	"UG": "Africa/Kampala",                 // Uganda
	"UM": "Pacific/Wake",                   // US minor outlying islands
	"US": "America/New_York",               // United States
	"UY": "America/Montevideo",             // Uruguay
	"UZ": "Asia/Tashkent",                  // Uzbekistan
	"VA": "Europe/Vatican",                 // Vatican City
	"VC": "America/St_Vincent",             // St Vincent
	"VE": "America/Caracas",                // Venezuela
	"VG": "America/Tortola",                // Virgin Islands (UK)
	"VI": "America/St_Thomas",              // Virgin Islands (US)
	"VN": "Asia/Ho_Chi_Minh",               // Vietnam
	"VU": "Pacific/Efate",                  // Vanuatu
	"WF": "Pacific/Wallis",                 // Wallis & Futuna
	"WS": "Pacific/Apia",                   // Samoa (western)
	"YE": "Asia/Aden",                      // Yemen
	"YT": "Indian/Mayotte",                 // Mayotte
	"ZA": "Africa/Johannesburg",            // South Africa
	"ZM": "Africa/Lusaka",                  // Zambia
	"ZW": "Africa/Harare",                  // Zimbabwe
}
