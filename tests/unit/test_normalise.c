/*
 * test_normalise.c — the normalisers users must be able to trust: country
 * names, postal codes per country, e-mail domain typos, the case of names
 * written in capitals, and the phone region taken from the row's country.
 *
 * Table-driven: every spelling of every country in country.c's source list
 * (as written, upper-cased, with ISO codes), postal codes per country, the
 * usual typos of consumer domains, and French names and cities in
 * capitals. Every normaliser is checked to be idempotent over its table:
 * an export re-imports unchanged.
 *
 * gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g
 *     -fsanitize=address,undefined -Iinclude -Isrc src/util/\*.c src/lead/\*.c
 *     tests/unit/test_normalise.c -lcmocka -lutf8proc -lcrypto
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lead/leadInt.h"
#include "leadimport/region.h"
#include "leadimport/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct pair {
    const char *in;
    const char *want; /* NULL: refused / unchanged, as the test says */
} pair;

/* --- countries ----------------------------------------------------------- */

/* Every name of every country, as written and in capitals, and its codes. */
static const pair country_names[] = {
    {"FR", "FR"},
    {"FRA", "FR"},
    {"fr", "FR"},
    {"fra", "FR"},
    {"France", "FR"},
    {"Métropole", "FR"},
    {"France métropolitaine", "FR"},
    {"République française", "FR"},
    {"FRANCE", "FR"},
    {"MÉTROPOLE", "FR"},
    {"FRANCE MÉTROPOLITAINE", "FR"},
    {"RÉPUBLIQUE FRANÇAISE", "FR"},
    {"GP", "GP"},
    {"GLP", "GP"},
    {"gp", "GP"},
    {"glp", "GP"},
    {"Guadeloupe", "GP"},
    {"GUADELOUPE", "GP"},
    {"MQ", "MQ"},
    {"MTQ", "MQ"},
    {"mq", "MQ"},
    {"mtq", "MQ"},
    {"Martinique", "MQ"},
    {"MARTINIQUE", "MQ"},
    {"GF", "GF"},
    {"GUF", "GF"},
    {"gf", "GF"},
    {"guf", "GF"},
    {"Guyane", "GF"},
    {"Guyane française", "GF"},
    {"French Guiana", "GF"},
    {"GUYANE", "GF"},
    {"GUYANE FRANÇAISE", "GF"},
    {"FRENCH GUIANA", "GF"},
    {"RE", "RE"},
    {"REU", "RE"},
    {"re", "RE"},
    {"reu", "RE"},
    {"La Réunion", "RE"},
    {"Réunion", "RE"},
    {"Reunion Island", "RE"},
    {"LA RÉUNION", "RE"},
    {"RÉUNION", "RE"},
    {"REUNION ISLAND", "RE"},
    {"YT", "YT"},
    {"MYT", "YT"},
    {"yt", "YT"},
    {"myt", "YT"},
    {"Mayotte", "YT"},
    {"MAYOTTE", "YT"},
    {"PM", "PM"},
    {"SPM", "PM"},
    {"pm", "PM"},
    {"spm", "PM"},
    {"Saint-Pierre-et-Miquelon", "PM"},
    {"Saint Pierre and Miquelon", "PM"},
    {"SAINT-PIERRE-ET-MIQUELON", "PM"},
    {"SAINT PIERRE AND MIQUELON", "PM"},
    {"BL", "BL"},
    {"BLM", "BL"},
    {"bl", "BL"},
    {"blm", "BL"},
    {"Saint-Barthélemy", "BL"},
    {"Saint Barthelemy", "BL"},
    {"SAINT-BARTHÉLEMY", "BL"},
    {"SAINT BARTHELEMY", "BL"},
    {"MF", "MF"},
    {"MAF", "MF"},
    {"mf", "MF"},
    {"maf", "MF"},
    {"Saint-Martin", "MF"},
    {"Saint Martin", "MF"},
    {"SAINT-MARTIN", "MF"},
    {"SAINT MARTIN", "MF"},
    {"NC", "NC"},
    {"NCL", "NC"},
    {"nc", "NC"},
    {"ncl", "NC"},
    {"Nouvelle-Calédonie", "NC"},
    {"New Caledonia", "NC"},
    {"NOUVELLE-CALÉDONIE", "NC"},
    {"NEW CALEDONIA", "NC"},
    {"PF", "PF"},
    {"PYF", "PF"},
    {"pf", "PF"},
    {"pyf", "PF"},
    {"Polynésie française", "PF"},
    {"French Polynesia", "PF"},
    {"POLYNÉSIE FRANÇAISE", "PF"},
    {"FRENCH POLYNESIA", "PF"},
    {"WF", "WF"},
    {"WLF", "WF"},
    {"wf", "WF"},
    {"wlf", "WF"},
    {"Wallis-et-Futuna", "WF"},
    {"Wallis and Futuna", "WF"},
    {"WALLIS-ET-FUTUNA", "WF"},
    {"WALLIS AND FUTUNA", "WF"},
    {"MC", "MC"},
    {"MCO", "MC"},
    {"mc", "MC"},
    {"mco", "MC"},
    {"Monaco", "MC"},
    {"MONACO", "MC"},
    {"AD", "AD"},
    {"AND", "AD"},
    {"ad", "AD"},
    {"and", "AD"},
    {"Andorre", "AD"},
    {"Andorra", "AD"},
    {"ANDORRE", "AD"},
    {"ANDORRA", "AD"},
    {"BE", "BE"},
    {"BEL", "BE"},
    {"be", "BE"},
    {"bel", "BE"},
    {"Belgique", "BE"},
    {"Belgium", "BE"},
    {"België", "BE"},
    {"Belgien", "BE"},
    {"BELGIQUE", "BE"},
    {"BELGIUM", "BE"},
    {"BELGIË", "BE"},
    {"BELGIEN", "BE"},
    {"CH", "CH"},
    {"CHE", "CH"},
    {"ch", "CH"},
    {"che", "CH"},
    {"Suisse", "CH"},
    {"Switzerland", "CH"},
    {"Schweiz", "CH"},
    {"Svizzera", "CH"},
    {"SUISSE", "CH"},
    {"SWITZERLAND", "CH"},
    {"SCHWEIZ", "CH"},
    {"SVIZZERA", "CH"},
    {"LU", "LU"},
    {"LUX", "LU"},
    {"lu", "LU"},
    {"lux", "LU"},
    {"Luxembourg", "LU"},
    {"Luxemburg", "LU"},
    {"LUXEMBOURG", "LU"},
    {"LUXEMBURG", "LU"},
    {"DE", "DE"},
    {"DEU", "DE"},
    {"de", "DE"},
    {"deu", "DE"},
    {"Allemagne", "DE"},
    {"Germany", "DE"},
    {"Deutschland", "DE"},
    {"ALLEMAGNE", "DE"},
    {"GERMANY", "DE"},
    {"DEUTSCHLAND", "DE"},
    {"AT", "AT"},
    {"AUT", "AT"},
    {"at", "AT"},
    {"aut", "AT"},
    {"Autriche", "AT"},
    {"Austria", "AT"},
    {"Österreich", "AT"},
    {"AUTRICHE", "AT"},
    {"AUSTRIA", "AT"},
    {"ÖSTERREICH", "AT"},
    {"ES", "ES"},
    {"ESP", "ES"},
    {"es", "ES"},
    {"esp", "ES"},
    {"Espagne", "ES"},
    {"Spain", "ES"},
    {"España", "ES"},
    {"ESPAGNE", "ES"},
    {"SPAIN", "ES"},
    {"ESPAÑA", "ES"},
    {"PT", "PT"},
    {"PRT", "PT"},
    {"pt", "PT"},
    {"prt", "PT"},
    {"Portugal", "PT"},
    {"PORTUGAL", "PT"},
    {"IT", "IT"},
    {"ITA", "IT"},
    {"it", "IT"},
    {"ita", "IT"},
    {"Italie", "IT"},
    {"Italy", "IT"},
    {"Italia", "IT"},
    {"ITALIE", "IT"},
    {"ITALY", "IT"},
    {"ITALIA", "IT"},
    {"NL", "NL"},
    {"NLD", "NL"},
    {"nl", "NL"},
    {"nld", "NL"},
    {"Pays-Bas", "NL"},
    {"Netherlands", "NL"},
    {"The Netherlands", "NL"},
    {"Holland", "NL"},
    {"Hollande", "NL"},
    {"Nederland", "NL"},
    {"PAYS-BAS", "NL"},
    {"NETHERLANDS", "NL"},
    {"THE NETHERLANDS", "NL"},
    {"HOLLAND", "NL"},
    {"HOLLANDE", "NL"},
    {"NEDERLAND", "NL"},
    {"GB", "GB"},
    {"GBR", "GB"},
    {"gb", "GB"},
    {"gbr", "GB"},
    {"Royaume-Uni", "GB"},
    {"United Kingdom", "GB"},
    {"UK", "GB"},
    {"Great Britain", "GB"},
    {"Grande-Bretagne", "GB"},
    {"Angleterre", "GB"},
    {"England", "GB"},
    {"Écosse", "GB"},
    {"Scotland", "GB"},
    {"Pays de Galles", "GB"},
    {"Wales", "GB"},
    {"Irlande du Nord", "GB"},
    {"Northern Ireland", "GB"},
    {"ROYAUME-UNI", "GB"},
    {"UNITED KINGDOM", "GB"},
    {"UK", "GB"},
    {"GREAT BRITAIN", "GB"},
    {"GRANDE-BRETAGNE", "GB"},
    {"ANGLETERRE", "GB"},
    {"ENGLAND", "GB"},
    {"ÉCOSSE", "GB"},
    {"SCOTLAND", "GB"},
    {"PAYS DE GALLES", "GB"},
    {"WALES", "GB"},
    {"IRLANDE DU NORD", "GB"},
    {"NORTHERN IRELAND", "GB"},
    {"IE", "IE"},
    {"IRL", "IE"},
    {"ie", "IE"},
    {"irl", "IE"},
    {"Irlande", "IE"},
    {"Ireland", "IE"},
    {"Éire", "IE"},
    {"IRLANDE", "IE"},
    {"IRELAND", "IE"},
    {"ÉIRE", "IE"},
    {"DK", "DK"},
    {"DNK", "DK"},
    {"dk", "DK"},
    {"dnk", "DK"},
    {"Danemark", "DK"},
    {"Denmark", "DK"},
    {"DANEMARK", "DK"},
    {"DENMARK", "DK"},
    {"SE", "SE"},
    {"SWE", "SE"},
    {"se", "SE"},
    {"swe", "SE"},
    {"Suède", "SE"},
    {"Sweden", "SE"},
    {"SUÈDE", "SE"},
    {"SWEDEN", "SE"},
    {"FI", "FI"},
    {"FIN", "FI"},
    {"fi", "FI"},
    {"fin", "FI"},
    {"Finlande", "FI"},
    {"Finland", "FI"},
    {"FINLANDE", "FI"},
    {"FINLAND", "FI"},
    {"NO", "NO"},
    {"NOR", "NO"},
    {"no", "NO"},
    {"nor", "NO"},
    {"Norvège", "NO"},
    {"Norway", "NO"},
    {"NORVÈGE", "NO"},
    {"NORWAY", "NO"},
    {"IS", "IS"},
    {"ISL", "IS"},
    {"is", "IS"},
    {"isl", "IS"},
    {"Islande", "IS"},
    {"Iceland", "IS"},
    {"ISLANDE", "IS"},
    {"ICELAND", "IS"},
    {"PL", "PL"},
    {"POL", "PL"},
    {"pl", "PL"},
    {"pol", "PL"},
    {"Pologne", "PL"},
    {"Poland", "PL"},
    {"Polska", "PL"},
    {"POLOGNE", "PL"},
    {"POLAND", "PL"},
    {"POLSKA", "PL"},
    {"CZ", "CZ"},
    {"CZE", "CZ"},
    {"cz", "CZ"},
    {"cze", "CZ"},
    {"Tchéquie", "CZ"},
    {"République tchèque", "CZ"},
    {"Czech Republic", "CZ"},
    {"Czechia", "CZ"},
    {"TCHÉQUIE", "CZ"},
    {"RÉPUBLIQUE TCHÈQUE", "CZ"},
    {"CZECH REPUBLIC", "CZ"},
    {"CZECHIA", "CZ"},
    {"SK", "SK"},
    {"SVK", "SK"},
    {"sk", "SK"},
    {"svk", "SK"},
    {"Slovaquie", "SK"},
    {"Slovakia", "SK"},
    {"SLOVAQUIE", "SK"},
    {"SLOVAKIA", "SK"},
    {"HU", "HU"},
    {"HUN", "HU"},
    {"hu", "HU"},
    {"hun", "HU"},
    {"Hongrie", "HU"},
    {"Hungary", "HU"},
    {"HONGRIE", "HU"},
    {"HUNGARY", "HU"},
    {"SI", "SI"},
    {"SVN", "SI"},
    {"si", "SI"},
    {"svn", "SI"},
    {"Slovénie", "SI"},
    {"Slovenia", "SI"},
    {"SLOVÉNIE", "SI"},
    {"SLOVENIA", "SI"},
    {"HR", "HR"},
    {"HRV", "HR"},
    {"hr", "HR"},
    {"hrv", "HR"},
    {"Croatie", "HR"},
    {"Croatia", "HR"},
    {"CROATIE", "HR"},
    {"CROATIA", "HR"},
    {"RO", "RO"},
    {"ROU", "RO"},
    {"ro", "RO"},
    {"rou", "RO"},
    {"Roumanie", "RO"},
    {"Romania", "RO"},
    {"ROUMANIE", "RO"},
    {"ROMANIA", "RO"},
    {"BG", "BG"},
    {"BGR", "BG"},
    {"bg", "BG"},
    {"bgr", "BG"},
    {"Bulgarie", "BG"},
    {"Bulgaria", "BG"},
    {"BULGARIE", "BG"},
    {"BULGARIA", "BG"},
    {"GR", "GR"},
    {"GRC", "GR"},
    {"gr", "GR"},
    {"grc", "GR"},
    {"Grèce", "GR"},
    {"Greece", "GR"},
    {"GRÈCE", "GR"},
    {"GREECE", "GR"},
    {"CY", "CY"},
    {"CYP", "CY"},
    {"cy", "CY"},
    {"cyp", "CY"},
    {"Chypre", "CY"},
    {"Cyprus", "CY"},
    {"CHYPRE", "CY"},
    {"CYPRUS", "CY"},
    {"MT", "MT"},
    {"MLT", "MT"},
    {"mt", "MT"},
    {"mlt", "MT"},
    {"Malte", "MT"},
    {"Malta", "MT"},
    {"MALTE", "MT"},
    {"MALTA", "MT"},
    {"EE", "EE"},
    {"EST", "EE"},
    {"ee", "EE"},
    {"est", "EE"},
    {"Estonie", "EE"},
    {"Estonia", "EE"},
    {"ESTONIE", "EE"},
    {"ESTONIA", "EE"},
    {"LV", "LV"},
    {"LVA", "LV"},
    {"lv", "LV"},
    {"lva", "LV"},
    {"Lettonie", "LV"},
    {"Latvia", "LV"},
    {"LETTONIE", "LV"},
    {"LATVIA", "LV"},
    {"LT", "LT"},
    {"LTU", "LT"},
    {"lt", "LT"},
    {"ltu", "LT"},
    {"Lituanie", "LT"},
    {"Lithuania", "LT"},
    {"LITUANIE", "LT"},
    {"LITHUANIA", "LT"},
    {"LI", "LI"},
    {"LIE", "LI"},
    {"li", "LI"},
    {"lie", "LI"},
    {"Liechtenstein", "LI"},
    {"LIECHTENSTEIN", "LI"},
    {"SM", "SM"},
    {"SMR", "SM"},
    {"sm", "SM"},
    {"smr", "SM"},
    {"Saint-Marin", "SM"},
    {"San Marino", "SM"},
    {"SAINT-MARIN", "SM"},
    {"SAN MARINO", "SM"},
    {"VA", "VA"},
    {"VAT", "VA"},
    {"va", "VA"},
    {"vat", "VA"},
    {"Vatican", "VA"},
    {"Saint-Siège", "VA"},
    {"Holy See", "VA"},
    {"Vatican City", "VA"},
    {"VATICAN", "VA"},
    {"SAINT-SIÈGE", "VA"},
    {"HOLY SEE", "VA"},
    {"VATICAN CITY", "VA"},
    {"AL", "AL"},
    {"ALB", "AL"},
    {"al", "AL"},
    {"alb", "AL"},
    {"Albanie", "AL"},
    {"Albania", "AL"},
    {"ALBANIE", "AL"},
    {"ALBANIA", "AL"},
    {"RS", "RS"},
    {"SRB", "RS"},
    {"rs", "RS"},
    {"srb", "RS"},
    {"Serbie", "RS"},
    {"Serbia", "RS"},
    {"SERBIE", "RS"},
    {"SERBIA", "RS"},
    {"BA", "BA"},
    {"BIH", "BA"},
    {"ba", "BA"},
    {"bih", "BA"},
    {"Bosnie-Herzégovine", "BA"},
    {"Bosnia and Herzegovina", "BA"},
    {"BOSNIE-HERZÉGOVINE", "BA"},
    {"BOSNIA AND HERZEGOVINA", "BA"},
    {"ME", "ME"},
    {"MNE", "ME"},
    {"me", "ME"},
    {"mne", "ME"},
    {"Monténégro", "ME"},
    {"Montenegro", "ME"},
    {"MONTÉNÉGRO", "ME"},
    {"MONTENEGRO", "ME"},
    {"MK", "MK"},
    {"MKD", "MK"},
    {"mk", "MK"},
    {"mkd", "MK"},
    {"Macédoine du Nord", "MK"},
    {"North Macedonia", "MK"},
    {"Macédoine", "MK"},
    {"MACÉDOINE DU NORD", "MK"},
    {"NORTH MACEDONIA", "MK"},
    {"MACÉDOINE", "MK"},
    {"MD", "MD"},
    {"MDA", "MD"},
    {"md", "MD"},
    {"mda", "MD"},
    {"Moldavie", "MD"},
    {"Moldova", "MD"},
    {"MOLDAVIE", "MD"},
    {"MOLDOVA", "MD"},
    {"UA", "UA"},
    {"UKR", "UA"},
    {"ua", "UA"},
    {"ukr", "UA"},
    {"Ukraine", "UA"},
    {"UKRAINE", "UA"},
    {"BY", "BY"},
    {"BLR", "BY"},
    {"by", "BY"},
    {"blr", "BY"},
    {"Biélorussie", "BY"},
    {"Belarus", "BY"},
    {"BIÉLORUSSIE", "BY"},
    {"BELARUS", "BY"},
    {"RU", "RU"},
    {"RUS", "RU"},
    {"ru", "RU"},
    {"rus", "RU"},
    {"Russie", "RU"},
    {"Russia", "RU"},
    {"Fédération de Russie", "RU"},
    {"Russian Federation", "RU"},
    {"RUSSIE", "RU"},
    {"RUSSIA", "RU"},
    {"FÉDÉRATION DE RUSSIE", "RU"},
    {"RUSSIAN FEDERATION", "RU"},
    {"TR", "TR"},
    {"TUR", "TR"},
    {"tr", "TR"},
    {"tur", "TR"},
    {"Turquie", "TR"},
    {"Turkey", "TR"},
    {"Türkiye", "TR"},
    {"TURQUIE", "TR"},
    {"TURKEY", "TR"},
    {"TÜRKIYE", "TR"},
    {"AM", "AM"},
    {"ARM", "AM"},
    {"am", "AM"},
    {"arm", "AM"},
    {"Arménie", "AM"},
    {"Armenia", "AM"},
    {"ARMÉNIE", "AM"},
    {"ARMENIA", "AM"},
    {"GE", "GE"},
    {"GEO", "GE"},
    {"ge", "GE"},
    {"geo", "GE"},
    {"Géorgie", "GE"},
    {"Georgia", "GE"},
    {"GÉORGIE", "GE"},
    {"GEORGIA", "GE"},
    {"US", "US"},
    {"USA", "US"},
    {"us", "US"},
    {"usa", "US"},
    {"États-Unis", "US"},
    {"Etats-Unis d'Amérique", "US"},
    {"United States", "US"},
    {"United States of America", "US"},
    {"USA", "US"},
    {"US", "US"},
    {"Amérique", "US"},
    {"ÉTATS-UNIS", "US"},
    {"ETATS-UNIS D'AMÉRIQUE", "US"},
    {"UNITED STATES", "US"},
    {"UNITED STATES OF AMERICA", "US"},
    {"USA", "US"},
    {"US", "US"},
    {"AMÉRIQUE", "US"},
    {"CA", "CA"},
    {"CAN", "CA"},
    {"ca", "CA"},
    {"can", "CA"},
    {"Canada", "CA"},
    {"CANADA", "CA"},
    {"MX", "MX"},
    {"MEX", "MX"},
    {"mx", "MX"},
    {"mex", "MX"},
    {"Mexique", "MX"},
    {"Mexico", "MX"},
    {"MEXIQUE", "MX"},
    {"MEXICO", "MX"},
    {"BR", "BR"},
    {"BRA", "BR"},
    {"br", "BR"},
    {"bra", "BR"},
    {"Brésil", "BR"},
    {"Brazil", "BR"},
    {"Brasil", "BR"},
    {"BRÉSIL", "BR"},
    {"BRAZIL", "BR"},
    {"BRASIL", "BR"},
    {"AR", "AR"},
    {"ARG", "AR"},
    {"ar", "AR"},
    {"arg", "AR"},
    {"Argentine", "AR"},
    {"Argentina", "AR"},
    {"ARGENTINE", "AR"},
    {"ARGENTINA", "AR"},
    {"CL", "CL"},
    {"CHL", "CL"},
    {"cl", "CL"},
    {"chl", "CL"},
    {"Chili", "CL"},
    {"Chile", "CL"},
    {"CHILI", "CL"},
    {"CHILE", "CL"},
    {"CO", "CO"},
    {"COL", "CO"},
    {"co", "CO"},
    {"col", "CO"},
    {"Colombie", "CO"},
    {"Colombia", "CO"},
    {"COLOMBIE", "CO"},
    {"COLOMBIA", "CO"},
    {"PE", "PE"},
    {"PER", "PE"},
    {"pe", "PE"},
    {"per", "PE"},
    {"Pérou", "PE"},
    {"Peru", "PE"},
    {"PÉROU", "PE"},
    {"PERU", "PE"},
    {"HT", "HT"},
    {"HTI", "HT"},
    {"ht", "HT"},
    {"hti", "HT"},
    {"Haïti", "HT"},
    {"Haiti", "HT"},
    {"HAÏTI", "HT"},
    {"HAITI", "HT"},
    {"CN", "CN"},
    {"CHN", "CN"},
    {"cn", "CN"},
    {"chn", "CN"},
    {"Chine", "CN"},
    {"China", "CN"},
    {"CHINE", "CN"},
    {"CHINA", "CN"},
    {"JP", "JP"},
    {"JPN", "JP"},
    {"jp", "JP"},
    {"jpn", "JP"},
    {"Japon", "JP"},
    {"Japan", "JP"},
    {"JAPON", "JP"},
    {"JAPAN", "JP"},
    {"KR", "KR"},
    {"KOR", "KR"},
    {"kr", "KR"},
    {"kor", "KR"},
    {"Corée du Sud", "KR"},
    {"South Korea", "KR"},
    {"Corée", "KR"},
    {"Korea", "KR"},
    {"République de Corée", "KR"},
    {"CORÉE DU SUD", "KR"},
    {"SOUTH KOREA", "KR"},
    {"CORÉE", "KR"},
    {"KOREA", "KR"},
    {"RÉPUBLIQUE DE CORÉE", "KR"},
    {"IN", "IN"},
    {"IND", "IN"},
    {"in", "IN"},
    {"ind", "IN"},
    {"Inde", "IN"},
    {"India", "IN"},
    {"INDE", "IN"},
    {"INDIA", "IN"},
    {"ID", "ID"},
    {"IDN", "ID"},
    {"id", "ID"},
    {"idn", "ID"},
    {"Indonésie", "ID"},
    {"Indonesia", "ID"},
    {"INDONÉSIE", "ID"},
    {"INDONESIA", "ID"},
    {"AU", "AU"},
    {"AUS", "AU"},
    {"au", "AU"},
    {"aus", "AU"},
    {"Australie", "AU"},
    {"Australia", "AU"},
    {"AUSTRALIE", "AU"},
    {"AUSTRALIA", "AU"},
    {"NZ", "NZ"},
    {"NZL", "NZ"},
    {"nz", "NZ"},
    {"nzl", "NZ"},
    {"Nouvelle-Zélande", "NZ"},
    {"New Zealand", "NZ"},
    {"NOUVELLE-ZÉLANDE", "NZ"},
    {"NEW ZEALAND", "NZ"},
    {"SA", "SA"},
    {"SAU", "SA"},
    {"sa", "SA"},
    {"sau", "SA"},
    {"Arabie saoudite", "SA"},
    {"Saudi Arabia", "SA"},
    {"ARABIE SAOUDITE", "SA"},
    {"SAUDI ARABIA", "SA"},
    {"AE", "AE"},
    {"ARE", "AE"},
    {"ae", "AE"},
    {"are", "AE"},
    {"Émirats arabes unis", "AE"},
    {"United Arab Emirates", "AE"},
    {"EAU", "AE"},
    {"UAE", "AE"},
    {"ÉMIRATS ARABES UNIS", "AE"},
    {"UNITED ARAB EMIRATES", "AE"},
    {"EAU", "AE"},
    {"UAE", "AE"},
    {"QA", "QA"},
    {"QAT", "QA"},
    {"qa", "QA"},
    {"qat", "QA"},
    {"Qatar", "QA"},
    {"QATAR", "QA"},
    {"IL", "IL"},
    {"ISR", "IL"},
    {"il", "IL"},
    {"isr", "IL"},
    {"Israël", "IL"},
    {"Israel", "IL"},
    {"ISRAËL", "IL"},
    {"ISRAEL", "IL"},
    {"LB", "LB"},
    {"LBN", "LB"},
    {"lb", "LB"},
    {"lbn", "LB"},
    {"Liban", "LB"},
    {"Lebanon", "LB"},
    {"LIBAN", "LB"},
    {"LEBANON", "LB"},
    {"EG", "EG"},
    {"EGY", "EG"},
    {"eg", "EG"},
    {"egy", "EG"},
    {"Égypte", "EG"},
    {"Egypt", "EG"},
    {"ÉGYPTE", "EG"},
    {"EGYPT", "EG"},
    {"ZA", "ZA"},
    {"ZAF", "ZA"},
    {"za", "ZA"},
    {"zaf", "ZA"},
    {"Afrique du Sud", "ZA"},
    {"South Africa", "ZA"},
    {"AFRIQUE DU SUD", "ZA"},
    {"SOUTH AFRICA", "ZA"},
    {"VN", "VN"},
    {"VNM", "VN"},
    {"vn", "VN"},
    {"vnm", "VN"},
    {"Viêt Nam", "VN"},
    {"Vietnam", "VN"},
    {"Viet Nam", "VN"},
    {"VIÊT NAM", "VN"},
    {"VIETNAM", "VN"},
    {"VIET NAM", "VN"},
    {"KH", "KH"},
    {"KHM", "KH"},
    {"kh", "KH"},
    {"khm", "KH"},
    {"Cambodge", "KH"},
    {"Cambodia", "KH"},
    {"CAMBODGE", "KH"},
    {"CAMBODIA", "KH"},
    {"LA", "LA"},
    {"LAO", "LA"},
    {"la", "LA"},
    {"lao", "LA"},
    {"Laos", "LA"},
    {"LAOS", "LA"},
    {"TH", "TH"},
    {"THA", "TH"},
    {"th", "TH"},
    {"tha", "TH"},
    {"Thaïlande", "TH"},
    {"Thailand", "TH"},
    {"THAÏLANDE", "TH"},
    {"THAILAND", "TH"},
    {"SG", "SG"},
    {"SGP", "SG"},
    {"sg", "SG"},
    {"sgp", "SG"},
    {"Singapour", "SG"},
    {"Singapore", "SG"},
    {"SINGAPOUR", "SG"},
    {"SINGAPORE", "SG"},
    {"MA", "MA"},
    {"MAR", "MA"},
    {"ma", "MA"},
    {"mar", "MA"},
    {"Maroc", "MA"},
    {"Morocco", "MA"},
    {"MAROC", "MA"},
    {"MOROCCO", "MA"},
    {"DZ", "DZ"},
    {"DZA", "DZ"},
    {"dz", "DZ"},
    {"dza", "DZ"},
    {"Algérie", "DZ"},
    {"Algeria", "DZ"},
    {"ALGÉRIE", "DZ"},
    {"ALGERIA", "DZ"},
    {"TN", "TN"},
    {"TUN", "TN"},
    {"tn", "TN"},
    {"tun", "TN"},
    {"Tunisie", "TN"},
    {"Tunisia", "TN"},
    {"TUNISIE", "TN"},
    {"TUNISIA", "TN"},
    {"SN", "SN"},
    {"SEN", "SN"},
    {"sn", "SN"},
    {"sen", "SN"},
    {"Sénégal", "SN"},
    {"Senegal", "SN"},
    {"SÉNÉGAL", "SN"},
    {"SENEGAL", "SN"},
    {"CI", "CI"},
    {"CIV", "CI"},
    {"ci", "CI"},
    {"civ", "CI"},
    {"Côte d'Ivoire", "CI"},
    {"Cote d'Ivoire", "CI"},
    {"Ivory Coast", "CI"},
    {"CÔTE D'IVOIRE", "CI"},
    {"COTE D'IVOIRE", "CI"},
    {"IVORY COAST", "CI"},
    {"ML", "ML"},
    {"MLI", "ML"},
    {"ml", "ML"},
    {"mli", "ML"},
    {"Mali", "ML"},
    {"MALI", "ML"},
    {"BF", "BF"},
    {"BFA", "BF"},
    {"bf", "BF"},
    {"bfa", "BF"},
    {"Burkina Faso", "BF"},
    {"Burkina", "BF"},
    {"BURKINA FASO", "BF"},
    {"BURKINA", "BF"},
    {"NE", "NE"},
    {"NER", "NE"},
    {"ne", "NE"},
    {"ner", "NE"},
    {"Niger", "NE"},
    {"NIGER", "NE"},
    {"TD", "TD"},
    {"TCD", "TD"},
    {"td", "TD"},
    {"tcd", "TD"},
    {"Tchad", "TD"},
    {"Chad", "TD"},
    {"TCHAD", "TD"},
    {"CHAD", "TD"},
    {"GN", "GN"},
    {"GIN", "GN"},
    {"gn", "GN"},
    {"gin", "GN"},
    {"Guinée", "GN"},
    {"Guinea", "GN"},
    {"GUINÉE", "GN"},
    {"GUINEA", "GN"},
    {"BJ", "BJ"},
    {"BEN", "BJ"},
    {"bj", "BJ"},
    {"ben", "BJ"},
    {"Bénin", "BJ"},
    {"Benin", "BJ"},
    {"BÉNIN", "BJ"},
    {"BENIN", "BJ"},
    {"TG", "TG"},
    {"TGO", "TG"},
    {"tg", "TG"},
    {"tgo", "TG"},
    {"Togo", "TG"},
    {"TOGO", "TG"},
    {"CM", "CM"},
    {"CMR", "CM"},
    {"cm", "CM"},
    {"cmr", "CM"},
    {"Cameroun", "CM"},
    {"Cameroon", "CM"},
    {"CAMEROUN", "CM"},
    {"CAMEROON", "CM"},
    {"GA", "GA"},
    {"GAB", "GA"},
    {"ga", "GA"},
    {"gab", "GA"},
    {"Gabon", "GA"},
    {"GABON", "GA"},
    {"CG", "CG"},
    {"COG", "CG"},
    {"cg", "CG"},
    {"cog", "CG"},
    {"Congo", "CG"},
    {"Congo-Brazzaville", "CG"},
    {"République du Congo", "CG"},
    {"CONGO", "CG"},
    {"CONGO-BRAZZAVILLE", "CG"},
    {"RÉPUBLIQUE DU CONGO", "CG"},
    {"CD", "CD"},
    {"COD", "CD"},
    {"cd", "CD"},
    {"cod", "CD"},
    {"République démocratique du Congo", "CD"},
    {"RDC", "CD"},
    {"RD Congo", "CD"},
    {"Congo-Kinshasa", "CD"},
    {"DR Congo", "CD"},
    {"Democratic Republic of the Congo", "CD"},
    {"RÉPUBLIQUE DÉMOCRATIQUE DU CONGO", "CD"},
    {"RDC", "CD"},
    {"RD CONGO", "CD"},
    {"CONGO-KINSHASA", "CD"},
    {"DR CONGO", "CD"},
    {"DEMOCRATIC REPUBLIC OF THE CONGO", "CD"},
    {"CF", "CF"},
    {"CAF", "CF"},
    {"cf", "CF"},
    {"caf", "CF"},
    {"Centrafrique", "CF"},
    {"République centrafricaine", "CF"},
    {"Central African Republic", "CF"},
    {"CENTRAFRIQUE", "CF"},
    {"RÉPUBLIQUE CENTRAFRICAINE", "CF"},
    {"CENTRAL AFRICAN REPUBLIC", "CF"},
    {"GQ", "GQ"},
    {"GNQ", "GQ"},
    {"gq", "GQ"},
    {"gnq", "GQ"},
    {"Guinée équatoriale", "GQ"},
    {"Equatorial Guinea", "GQ"},
    {"GUINÉE ÉQUATORIALE", "GQ"},
    {"EQUATORIAL GUINEA", "GQ"},
    {"MG", "MG"},
    {"MDG", "MG"},
    {"mg", "MG"},
    {"mdg", "MG"},
    {"Madagascar", "MG"},
    {"MADAGASCAR", "MG"},
    {"MU", "MU"},
    {"MUS", "MU"},
    {"mu", "MU"},
    {"mus", "MU"},
    {"Maurice", "MU"},
    {"Île Maurice", "MU"},
    {"Mauritius", "MU"},
    {"MAURICE", "MU"},
    {"ÎLE MAURICE", "MU"},
    {"MAURITIUS", "MU"},
    {"SC", "SC"},
    {"SYC", "SC"},
    {"sc", "SC"},
    {"syc", "SC"},
    {"Seychelles", "SC"},
    {"SEYCHELLES", "SC"},
    {"KM", "KM"},
    {"COM", "KM"},
    {"km", "KM"},
    {"com", "KM"},
    {"Comores", "KM"},
    {"Comoros", "KM"},
    {"COMORES", "KM"},
    {"COMOROS", "KM"},
    {"DJ", "DJ"},
    {"DJI", "DJ"},
    {"dj", "DJ"},
    {"dji", "DJ"},
    {"Djibouti", "DJ"},
    {"DJIBOUTI", "DJ"},
    {"RW", "RW"},
    {"RWA", "RW"},
    {"rw", "RW"},
    {"rwa", "RW"},
    {"Rwanda", "RW"},
    {"RWANDA", "RW"},
    {"BI", "BI"},
    {"BDI", "BI"},
    {"bi", "BI"},
    {"bdi", "BI"},
    {"Burundi", "BI"},
    {"BURUNDI", "BI"},
    {"MR", "MR"},
    {"MRT", "MR"},
    {"mr", "MR"},
    {"mrt", "MR"},
    {"Mauritanie", "MR"},
    {"Mauritania", "MR"},
    {"MAURITANIE", "MR"},
    {"MAURITANIA", "MR"},
    {"CV", "CV"},
    {"CPV", "CV"},
    {"cv", "CV"},
    {"cpv", "CV"},
    {"Cap-Vert", "CV"},
    {"Cape Verde", "CV"},
    {"Cabo Verde", "CV"},
    {"CAP-VERT", "CV"},
    {"CAPE VERDE", "CV"},
    {"CABO VERDE", "CV"},
    {"GW", "GW"},
    {"GNB", "GW"},
    {"gw", "GW"},
    {"gnb", "GW"},
    {"Guinée-Bissau", "GW"},
    {"Guinea-Bissau", "GW"},
    {"GUINÉE-BISSAU", "GW"},
    {"GUINEA-BISSAU", "GW"},
    {"ST", "ST"},
    {"STP", "ST"},
    {"st", "ST"},
    {"stp", "ST"},
    {"Sao Tomé-et-Principe", "ST"},
    {"Sao Tome and Principe", "ST"},
    {"SAO TOMÉ-ET-PRINCIPE", "ST"},
    {"SAO TOME AND PRINCIPE", "ST"},
    {"VU", "VU"},
    {"VUT", "VU"},
    {"vu", "VU"},
    {"vut", "VU"},
    {"Vanuatu", "VU"},
    {"VANUATU", "VU"},
    {"NG", "NG"},
    {"NGA", "NG"},
    {"ng", "NG"},
    {"nga", "NG"},
    {"Nigeria", "NG"},
    {"Nigéria", "NG"},
    {"NIGERIA", "NG"},
    {"NIGÉRIA", "NG"},
    {"GH", "GH"},
    {"GHA", "GH"},
    {"gh", "GH"},
    {"gha", "GH"},
    {"Ghana", "GH"},
    {"GHANA", "GH"},
    {"KE", "KE"},
    {"KEN", "KE"},
    {"ke", "KE"},
    {"ken", "KE"},
    {"Kenya", "KE"},
    {"KENYA", "KE"},
    {"ET", "ET"},
    {"ETH", "ET"},
    {"et", "ET"},
    {"eth", "ET"},
    {"Éthiopie", "ET"},
    {"Ethiopia", "ET"},
    {"ÉTHIOPIE", "ET"},
    {"ETHIOPIA", "ET"},
    {"LY", "LY"},
    {"LBY", "LY"},
    {"ly", "LY"},
    {"lby", "LY"},
    {"Libye", "LY"},
    {"Libya", "LY"},
    {"LIBYE", "LY"},
    {"LIBYA", "LY"},
    {"SY", "SY"},
    {"SYR", "SY"},
    {"sy", "SY"},
    {"syr", "SY"},
    {"Syrie", "SY"},
    {"Syria", "SY"},
    {"SYRIE", "SY"},
    {"SYRIA", "SY"},
    {"IQ", "IQ"},
    {"IRQ", "IQ"},
    {"iq", "IQ"},
    {"irq", "IQ"},
    {"Irak", "IQ"},
    {"Iraq", "IQ"},
    {"IRAK", "IQ"},
    {"IRAQ", "IQ"},
    {"IR", "IR"},
    {"IRN", "IR"},
    {"ir", "IR"},
    {"irn", "IR"},
    {"Iran", "IR"},
    {"IRAN", "IR"},
    {"PK", "PK"},
    {"PAK", "PK"},
    {"pk", "PK"},
    {"pak", "PK"},
    {"Pakistan", "PK"},
    {"PAKISTAN", "PK"},
    {"BD", "BD"},
    {"BGD", "BD"},
    {"bd", "BD"},
    {"bgd", "BD"},
    {"Bangladesh", "BD"},
    {"BANGLADESH", "BD"},
    {"PH", "PH"},
    {"PHL", "PH"},
    {"ph", "PH"},
    {"phl", "PH"},
    {"Philippines", "PH"},
    {"PHILIPPINES", "PH"},
    {"MY", "MY"},
    {"MYS", "MY"},
    {"my", "MY"},
    {"mys", "MY"},
    {"Malaisie", "MY"},
    {"Malaysia", "MY"},
    {"MALAISIE", "MY"},
    {"MALAYSIA", "MY"},
    {"TW", "TW"},
    {"TWN", "TW"},
    {"tw", "TW"},
    {"twn", "TW"},
    {"Taïwan", "TW"},
    {"Taiwan", "TW"},
    {"TAÏWAN", "TW"},
    {"TAIWAN", "TW"},
    {"HK", "HK"},
    {"HKG", "HK"},
    {"hk", "HK"},
    {"hkg", "HK"},
    {"Hong Kong", "HK"},
    {"HONG KONG", "HK"},
    /* spacing, punctuation and accents do not matter */
    {"  france ", "FR"},
    {"F.R.", "FR"},
    {"cote d ivoire", "CI"},
    {"Côte d’Ivoire", "CI"},
    {"COTE-D'IVOIRE", "CI"},
    {"etats unis", "US"},
    {"U.S.A.", "US"},
    {"U.K.", "GB"},
    {"royaume uni", "GB"},
    {"pays bas", "NL"},
    {"la reunion", "RE"},
    {"Algerie", "DZ"},
    {"senegal", "SN"},
    {"ALLEMAGNE", "DE"},
    {"Suisse ", "CH"},
};

static const char *const unknown_countries[] = {
    "Atlantide", "Narnia", "Europe",  "Afrique",      "Mars",
    "XX",        "ZZZ",    "F",       "Fra nce land", "Francee",
    "Belgiqu",   "Pays",   "inconnu", "N/A",          "-",
    "?",         "123",    "Ελλάδα",  "日本",         "Deutschland GmbH",
    "Royaume",   "Uni",
};

static void test_country_table_is_sorted_and_unique(void **state) {
    (void)state;
    size_t n = li__country_count();
    assert_true(n > 400);
    for (size_t i = 0; i < n; i++) {
        const char *iso, *prev_iso;
        const char *k = li__country_key(i, &iso);
        assert_int_equal(strlen(iso), 2);
        for (const char *p = k; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'));
        if (i > 0)
            assert_true(strcmp(li__country_key(i - 1, &prev_iso), k) < 0);
    }
}

static void test_country_names_and_codes_give_iso_alpha2(void **state) {
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N(country_names); i++) {
        const char *got = li__country_iso(country_names[i].in, strlen(country_names[i].in));
        if (!got || strcmp(got, country_names[i].want) != 0) {
            print_error("country \"%s\": got %s, want %s\n", country_names[i].in,
                        got ? got : "NULL", country_names[i].want);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Every country the table gives has a French name users can read. */
static void test_every_country_has_a_french_name(void **state) {
    (void)state;
    assert_string_equal(li_country_name("CH"), "Suisse");
    assert_string_equal(li_country_name("GB"), "Royaume-Uni");
    assert_string_equal(li_country_name("US"), "États-Unis");
    assert_string_equal(li_country_name("KR"), "Corée du Sud");
    assert_string_equal(li_country_name("CI"), "Côte d'Ivoire");
    assert_string_equal(li_country_name("KZ"), "Kazakhstan");
    assert_string_equal(li_country_name("RU"), "Russie");
    assert_null(li_country_name("ZZ"));
    assert_null(li_country_name("UK")); /* a name, not a code: GB */
    assert_null(li_country_name(NULL));
    for (size_t i = 0; i < li__country_count(); i++) {
        const char *iso;
        li__country_key(i, &iso);
        const char *name = li_country_name(iso);
        if (!name)
            fail_msg("no French name for %s", iso);
        /* and the name reads back to its code */
        assert_string_equal(li__country_iso(name, strlen(name)), iso);
    }
}

static void test_unknown_countries_are_not_guessed(void **state) {
    (void)state;
    for (size_t i = 0; i < N(unknown_countries); i++) {
        const char *got = li__country_iso(unknown_countries[i], strlen(unknown_countries[i]));
        if (got)
            print_error("country \"%s\": got %s\n", unknown_countries[i], got);
        assert_null(got);
    }
}

static void test_country_normalisation_is_idempotent(void **state) {
    (void)state;
    for (size_t i = 0; i < li__country_count(); i++) {
        const char *iso;
        li__country_key(i, &iso);
        const char *again = li__country_iso(iso, 2);
        assert_non_null(again);
        assert_string_equal(again, iso);
    }
}

/* --- postal codes -------------------------------------------------------- */

typedef struct postal_case {
    const char *iso;
    const char *in;
    li_msg want;
    const char *out; /* the value after normalisation */
} postal_case;

static const postal_case postal_cases[] = {
    {"FR", "75008", LI_MSG_NONE, "75008"},
    {"FR", "01000", LI_MSG_NONE, "01000"},
    {"FR", "75 008", LI_MSG_NONE, "75008"},
    {"FR", "1000", LI_MSG_POSTAL_CODE_FIXED, "01000"},
    {"FR", "6000", LI_MSG_POSTAL_CODE_FIXED, "06000"},
    {"FR", "9100", LI_MSG_POSTAL_CODE_FIXED, "09100"},
    {"FR", "750", LI_MSG_POSTAL_CODE_INVALID, "750"},
    {"FR", "750080", LI_MSG_POSTAL_CODE_INVALID, "750080"},
    {"FR", "7500A", LI_MSG_POSTAL_CODE_INVALID, "7500A"},
    {"FR", "Paris", LI_MSG_POSTAL_CODE_INVALID, "Paris"},
    {"FR", "F-75008", LI_MSG_POSTAL_CODE_INVALID, "F-75008"},
    {"FR", "2A004", LI_MSG_POSTAL_CODE_INVALID, "2A004"},
    {"FR", "20000", LI_MSG_NONE, "20000"},
    {"GP", "97110", LI_MSG_NONE, "97110"},
    {"RE", "97400", LI_MSG_NONE, "97400"},
    {"YT", "97600", LI_MSG_NONE, "97600"},
    {"MQ", "9720", LI_MSG_POSTAL_CODE_INVALID, "9720"},
    {"MC", "98000", LI_MSG_NONE, "98000"},
    {"BE", "1000", LI_MSG_NONE, "1000"},
    {"BE", "4000", LI_MSG_NONE, "4000"},
    {"BE", "01000", LI_MSG_POSTAL_CODE_INVALID, "01000"},
    {"BE", "B-1000", LI_MSG_POSTAL_CODE_INVALID, "B-1000"},
    {"CH", "1201", LI_MSG_NONE, "1201"},
    {"CH", "12010", LI_MSG_POSTAL_CODE_INVALID, "12010"},
    {"LU", "L-1111", LI_MSG_NONE, "L-1111"},
    {"LU", "l-4001", LI_MSG_NONE, "L-4001"},
    {"LU", "L1111", LI_MSG_NONE, "L1111"},
    {"LU", "1111", LI_MSG_NONE, "1111"},
    {"LU", "L-111", LI_MSG_POSTAL_CODE_INVALID, "L-111"},
    {"LU", "L-", LI_MSG_POSTAL_CODE_INVALID, "L-"},
    {"LU", "L", LI_MSG_POSTAL_CODE_INVALID, "L"},
    {"AT", "1010", LI_MSG_NONE, "1010"},
    {"DK", "2100", LI_MSG_NONE, "2100"},
    {"DE", "10115", LI_MSG_NONE, "10115"},
    {"DE", "1011", LI_MSG_POSTAL_CODE_INVALID, "1011"},
    {"ES", "28001", LI_MSG_NONE, "28001"},
    {"IT", "00184", LI_MSG_NONE, "00184"},
    {"IT", "184", LI_MSG_POSTAL_CODE_INVALID, "184"},
    {"GB", "SW1A 1AA", LI_MSG_NONE, "SW1A 1AA"},
    {"CA", "H2X 1Y4", LI_MSG_NONE, "H2X 1Y4"},
    {"US", "10001-1234", LI_MSG_NONE, "10001-1234"},
    {"MA", "20000", LI_MSG_NONE, "20000"},
    {"FR", "123456789012", LI_MSG_POSTAL_CODE_INVALID, "123456789012"},
};

static void test_postal_codes_are_checked_against_the_country(void **state) {
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N(postal_cases); i++) {
        const postal_case *c = &postal_cases[i];
        char buf[32];
        size_t n = strlen(c->in);
        memcpy(buf, c->in, n + 1);
        li_msg got = li__postal_norm(c->iso, buf, &n);
        if (got != c->want || n != strlen(c->out) || memcmp(buf, c->out, n) != 0) {
            print_error("postal %s \"%s\": got %s \"%.*s\", want %s \"%s\"\n", c->iso, c->in,
                        li_msg_code(got), (int)n, buf, li_msg_code(c->want), c->out);
            failures++;
        }
    }
    /* every 4- and 5-digit French code */
    for (unsigned v = 0; v < 100000; v += 7) {
        char buf[8];
        snprintf(buf, sizeof buf, "%05u", v);
        size_t n = 5;
        assert_int_equal(li__postal_norm("FR", buf, &n), LI_MSG_NONE);
    }
    assert_int_equal(failures, 0);
}

static void test_postal_normalisation_is_idempotent(void **state) {
    (void)state;
    for (size_t i = 0; i < N(postal_cases); i++) {
        const postal_case *c = &postal_cases[i];
        char buf[32];
        size_t n = strlen(c->out);
        memcpy(buf, c->out, n + 1);
        li_msg got = li__postal_norm(c->iso, buf, &n);
        assert_int_not_equal(got, LI_MSG_POSTAL_CODE_FIXED);
        assert_int_equal(n, strlen(c->out));
        assert_memory_equal(buf, c->out, n);
    }
}

/* --- e-mail domains ------------------------------------------------------ */

static const pair domain_typos[] = {
    {"gmial.com", "gmail.com"},
    {"gmai.com", "gmail.com"},
    {"gmal.com", "gmail.com"},
    {"gamil.com", "gmail.com"},
    {"gmail.co", "gmail.com"},
    {"gmail.con", "gmail.com"},
    {"gmail.cm", "gmail.com"},
    {"gmail.om", "gmail.com"},
    {"gmail.comm", "gmail.com"},
    {"gmaill.com", "gmail.com"},
    {"gmail.cmo", "gmail.com"},
    {"gnail.com", "gmail.com"},
    {"hotmial.fr", "hotmail.fr"},
    {"hotmal.fr", "hotmail.fr"},
    {"hotmail.frr", "hotmail.fr"},
    {"hotamil.com", "hotmail.com"},
    {"hotmail.con", "hotmail.com"},
    {"hotmai.fr", "hotmail.fr"},
    {"yaho.fr", "yahoo.fr"},
    {"yahooo.fr", "yahoo.fr"},
    {"yahoo.frr", "yahoo.fr"},
    {"yahou.fr", "yahoo.fr"},
    {"yahoo.con", "yahoo.com"},
    {"ornage.fr", "orange.fr"},
    {"orage.fr", "orange.fr"},
    {"orange.frr", "orange.fr"},
    {"orang.fr", "orange.fr"},
    {"wanado.fr", "wanadoo.fr"},
    {"wanadoo.frr", "wanadoo.fr"},
    {"wannadoo.fr", "wanadoo.fr"},
    {"lapost.net", "laposte.net"},
    {"laposte.nte", "laposte.net"},
    {"fre.fr", "free.fr"},
    {"free.frr", "free.fr"},
    {"fee.fr", "free.fr"},
    {"outlok.fr", "outlook.fr"},
    {"outloo.com", "outlook.com"},
    {"outlook.con", "outlook.com"},
    {"iclod.com", "icloud.com"},
    {"icoud.com", "icloud.com"},
    {"icloud.con", "icloud.com"},
    {"sfr.frr", "sfr.fr"},
    {"aol.cm", "aol.com"},
    {"aol.con", "aol.com"},
    {"gmx.frr", "gmx.fr"},
    {"msn.cm", "msn.com"},
    {"skynet.bee", "skynet.be"},
    {"bluewin.chh", "bluewin.ch"},
    {"neuf.frr", "neuf.fr"},
    {"live.frr", "live.fr"},
    {"googlemail.con", "googlemail.com"},
};

static const char *const fine_domains[] = {
    "gmail.fr",
    "laposte.fr",
    "mail.com",
    "orange.com",
    "yahoo.de",
    "sfr.com",
    "sf.fr",
    "srf.fr",
    "sfr.fe",
    "live.de",
    "gmail.de",
    "hotmail.de",
    "aol.de",
    "gmx.ch",
    "mac.fr",
    "msa.com",
    "consultingconseilassocies.fr",
    "boulangerie-dupont.fr",
    "example.com",
    "univ-lyon1.fr",
    "ac-paris.fr",
    "free.com.br",
    "gouv.fr",
    "edf.fr",
    "sncf.fr",
    "renault.com",
    "michelin.com",
    "orange-business.com",
    "hotmail-pro.fr",
    "gmail.company.com",
    "yahoo.fr.example.com",
    "fr",
    "a.b",
};

static void test_email_domain_typos_suggest_the_domain_meant(void **state) {
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N(domain_typos); i++) {
        const char *got = li__email_domain_typo(domain_typos[i].in, strlen(domain_typos[i].in));
        if (!got || strcmp(got, domain_typos[i].want) != 0) {
            print_error("domain \"%s\": got %s, want %s\n", domain_typos[i].in, got ? got : "NULL",
                        domain_typos[i].want);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_known_and_other_domains_are_not_typos(void **state) {
    (void)state;
    for (size_t i = 0; i < li__email_domain_count(); i++) {
        const char *d = li__email_domain(i);
        assert_true(strlen(d) <= 16); /* LONGEST in email_domain.c */
        assert_null(li__email_domain_typo(d, strlen(d)));
        if (i > 0)
            assert_true(strcmp(li__email_domain(i - 1), d) < 0);
    }
    for (size_t i = 0; i < N(fine_domains); i++) {
        const char *got = li__email_domain_typo(fine_domains[i], strlen(fine_domains[i]));
        if (got)
            print_error("domain \"%s\": flagged as %s\n", fine_domains[i], got);
        assert_null(got);
    }
}

/* --- names --------------------------------------------------------------- */

static const pair caps_names[] = {
    {"DUPONT", "Dupont"},
    {"JEAN", "Jean"},
    {"JEAN-PIERRE", "Jean-Pierre"},
    {"MARIE ANNE", "Marie Anne"},
    {"DE VILLIERS", "de Villiers"},
    {"DU PONT", "du Pont"},
    {"DES ESSARTS", "des Essarts"},
    {"DE LA FONTAINE", "de la Fontaine"},
    {"JEAN DE LA FONTAINE", "Jean de la Fontaine"},
    {"LE GOFF", "Le Goff"},
    {"LE BIHAN", "Le Bihan"},
    {"LA FONTAINE", "La Fontaine"},
    {"MARIE LE GOFF", "Marie Le Goff"},
    {"D'ALEMBERT", "d'Alembert"},
    {"D’ALEMBERT", "d’Alembert"},
    {"N'DIAYE", "N'Diaye"},
    {"O'NEILL", "O'Neill"},
    {"MCDONALD", "Mcdonald"},
    {"VAN DER BERG", "Van Der Berg"},
    {"DE", "De"},
    {"LE", "Le"},
    {"ÉLODIE", "Élodie"},
    {"HÉLÈNE", "Hélène"},
    {"FRANÇOIS", "François"},
    {"JÉRÔME", "Jérôme"},
    {"CÔTÉ", "Côté"},
    {"PRÉVOST", "Prévost"},
    {"LEFÈVRE", "Lefèvre"},
    {"NOËL", "Noël"},
    {"ŒDIPE", "Œdipe"},
    {"CŒUR", "Cœur"},
    {"ÇA", "Ça"},
    {"ÀGNÈS", "Àgnès"},
    {"ŸVES", "Ÿves"},
    {"ŁUKASZ", "Łukasz"},
    {"ŽIŽEK", "Žižek"},
    {"ŠTĚPÁN", "Štěpán"},
    {"ÉTIENNE-ÉMILE", "Étienne-Émile"},
    {"SAINT-ÉTIENNE", "Saint-Étienne"},
    {"AIX-EN-PROVENCE", "Aix-en-Provence"},
    {"BOULOGNE-SUR-MER", "Boulogne-sur-Mer"},
    {"CHALON-SUR-SAÔNE", "Chalon-sur-Saône"},
    {"BRIVE-LA-GAILLARDE", "Brive-la-Gaillarde"},
    {"VILLENEUVE-D'ASCQ", "Villeneuve-d'Ascq"},
    {"L'HAŸ-LES-ROSES", "L'Haÿ-les-Roses"},
    {"FONTENAY-AUX-ROSES", "Fontenay-aux-Roses"},
    {"PONT-À-MOUSSON", "Pont-à-Mousson"},
    {"SAINT-PIERRE-ET-MIQUELON", "Saint-Pierre-et-Miquelon"},
    {"VILLENEUVE-LÈS-AVIGNON", "Villeneuve-lès-Avignon"},
    {"SAINT-RÉMY-DE-PROVENCE", "Saint-Rémy-de-Provence"},
    {"LE PUY-EN-VELAY", "Le Puy-en-Velay"},
    {"LA ROCHELLE", "La Rochelle"},
    {"LE MANS", "Le Mans"},
    {"L'ISLE-ADAM", "L'Isle-Adam"},
    {"CHERBOURG-EN-COTENTIN", "Cherbourg-en-Cotentin"},
    {"PARIS 8E", "Paris 8e"},
    {"(JEAN)", "(Jean)"},
    {"ANNE-MARIE DU BOIS", "Anne-Marie du Bois"},
};

/* Left as written: a lower-case letter, or fewer than two letters. */
static const char *const kept_names[] = {
    "Dupont", "de Villiers", "McDonald", "MacLeod", "DUPONt", "Le Goff", "jean",
    "dUPONT", "A",           "É",        "J.",      "J R",    "123",     "",
    "-",      "Élodie",      "STRAßE",   "日本",    "ÀB c",   "DuPont",
};

static void test_all_caps_names_get_title_case(void **state) {
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < N(caps_names); i++) {
        char buf[128];
        size_t n = strlen(caps_names[i].in);
        memcpy(buf, caps_names[i].in, n + 1);
        int applied = li__name_case(buf, n);
        if (!applied || strcmp(buf, caps_names[i].want) != 0) {
            print_error("name \"%s\": got \"%s\", want \"%s\"\n", caps_names[i].in, buf,
                        caps_names[i].want);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_names_with_lower_case_are_left_alone(void **state) {
    (void)state;
    for (size_t i = 0; i < N(kept_names); i++) {
        char buf[64];
        size_t n = strlen(kept_names[i]);
        memcpy(buf, kept_names[i], n + 1);
        li__name_case(buf, n);
        assert_string_equal(buf, kept_names[i]);
    }
}

static void test_name_case_is_idempotent(void **state) {
    (void)state;
    for (size_t i = 0; i < N(caps_names); i++) {
        const char *vals[2] = {caps_names[i].in, caps_names[i].want};
        for (int k = 0; k < 2; k++) {
            char once[128], twice[128];
            size_t n = strlen(vals[k]);
            memcpy(once, vals[k], n + 1);
            li__name_case(once, n);
            memcpy(twice, once, n + 1);
            li__name_case(twice, n);
            assert_string_equal(twice, once);
        }
    }
}

/* --- rows ---------------------------------------------------------------- */

static const char *const header[] = {"Prénom",      "Nom",   "Email", "Téléphone",
                                     "Code postal", "Ville", "Pays"};

typedef struct fixture {
    li_mapping *m;
    li_validator *v;
    li_lead lead;
} fixture;

static int setup(void **state) {
    fixture *fx = calloc(1, sizeof *fx);
    li_slice h[N(header)];
    for (size_t i = 0; i < N(header); i++)
        h[i] = li_slice_of(header[i]);
    assert_int_equal(li_mapping_new(h, N(header), NULL, 0, &fx->m, NULL), LI_OK);
    assert_int_equal(li_validator_new(fx->m, NULL, &fx->v, NULL), LI_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    li_validator_free(fx->v);
    li_mapping_free(fx->m);
    free(fx);
    return 0;
}

/* Validates first name, last name, e-mail, phone, postal code, city, country. */
static li_lead *row(fixture *fx, const char *email, const char *phone, const char *postal,
                    const char *city, const char *country) {
    const char *cells[] = {"JEAN", "DE VILLIERS", email, phone, postal, city, country};
    li_slice f[N(cells)];
    for (size_t i = 0; i < N(cells); i++)
        f[i] = li_slice_of(cells[i]);
    assert_int_equal(li_validate_row(fx->v, f, N(cells), &fx->lead), LI_OK);
    return &fx->lead;
}

static const li_issue *issue(const li_lead *l, li_msg code) {
    for (size_t i = 0; i < l->nissues; i++)
        if (l->issues[i].code == code)
            return &l->issues[i];
    return NULL;
}

#define VALUE_EQ(l, f, s) assert_true(li_slice_eq((l)->value[f], s))

static void test_row_names_and_city_in_capitals_get_title_case(void **state) {
    fixture *fx = *state;
    li_lead *l = row(fx, "jean@orange.fr", "", "42000", "SAINT-ÉTIENNE", "France");
    assert_int_equal(l->nissues, 0);
    VALUE_EQ(l, LI_FIELD_FIRST_NAME, "Jean");
    VALUE_EQ(l, LI_FIELD_LAST_NAME, "de Villiers");
    VALUE_EQ(l, LI_FIELD_CITY, "Saint-Étienne");
}

static void test_email_domain_typo_is_a_warning_keeping_the_address(void **state) {
    fixture *fx = *state;
    li_lead *l = row(fx, " Jean@GMIAL.com ", "", "", "", "");
    assert_int_equal(l->nerrors, 0);
    VALUE_EQ(l, LI_FIELD_EMAIL, "jean@gmial.com");
    const li_issue *is = issue(l, LI_MSG_EMAIL_DOMAIN_TYPO);
    assert_non_null(is);
    assert_int_equal(is->field, LI_FIELD_EMAIL);
    assert_string_equal(is->text, "Domaine d'e-mail suspect : « jean@gmial.com », "
                                  "vouliez-vous dire « gmail.com » ?");
    l = row(fx, "jean@gmail.fr", "", "", "", "");
    assert_int_equal(l->nissues, 0);
}

static void test_country_is_normalised_or_warned_and_kept(void **state) {
    fixture *fx = *state;
    li_lead *l = row(fx, "jean@orange.fr", "", "", "", " Côte d'Ivoire ");
    assert_int_equal(l->nissues, 0);
    VALUE_EQ(l, LI_FIELD_COUNTRY, "CI");
    l = row(fx, "jean@orange.fr", "", "75008", "", "Atlantide");
    assert_int_equal(l->nerrors, 0);
    VALUE_EQ(l, LI_FIELD_COUNTRY, "Atlantide");
    VALUE_EQ(l, LI_FIELD_POSTAL_CODE, "75008");
    const li_issue *is = issue(l, LI_MSG_COUNTRY_UNKNOWN);
    assert_non_null(is);
    assert_string_equal(is->text, "Pays non reconnu : « Atlantide »");
    assert_int_equal(l->nissues, 1); /* an unknown country: its postal code is not checked */
}

static void test_postal_code_warnings_name_the_value(void **state) {
    fixture *fx = *state;
    li_lead *l = row(fx, "jean@orange.fr", "", "6000", "Nice", ""); /* empty country: FR */
    assert_int_equal(l->nerrors, 0);
    VALUE_EQ(l, LI_FIELD_POSTAL_CODE, "06000");
    const li_issue *is = issue(l, LI_MSG_POSTAL_CODE_FIXED);
    assert_non_null(is);
    assert_string_equal(is->text, "Code postal complété : « 6000 » lu comme « 06000 »");
    l = row(fx, "jean@orange.fr", "", "750", "Paris", "FR");
    assert_int_equal(l->nerrors, 0);
    VALUE_EQ(l, LI_FIELD_POSTAL_CODE, "750");
    is = issue(l, LI_MSG_POSTAL_CODE_INVALID);
    assert_non_null(is);
    assert_string_equal(is->text, "Code postal invalide pour ce pays : « 750 »");
    l = row(fx, "jean@orange.fr", "", "1000", "Bruxelles", "Belgique");
    assert_int_equal(l->nissues, 0);
    VALUE_EQ(l, LI_FIELD_POSTAL_CODE, "1000");
    l = row(fx, "jean@orange.fr", "", "L-1111", "Luxembourg", "Luxembourg");
    assert_int_equal(l->nissues, 0);
}

static void test_phone_region_follows_the_row_country(void **state) {
    fixture *fx = *state;
    static const struct {
        const char *phone, *country, *want; /* want NULL: phone_invalid */
    } cases[] = {
        {"0470 12 34 56", "Belgique", "+32470123456"},
        {"0470 12 34 56", "BE", "+32470123456"},
        {"079 123 45 67", "Suisse", "+41791234567"},
        {"621 123 456", "Luxembourg", "+352621123456"},
        {"(514) 555-1234", "Canada", "+15145551234"},
        {"06 12 34 56 78", "France", "+33612345678"},
        {"06 12 34 56 78", "", "+33612345678"},
        {"06 12 34 56 78", "Atlantide", "+33612345678"},
        {"+33 6 12 34 56 78", "Belgique", "+33612345678"},
        {"0033 6 12 34 56 78", "Belgique", "+33612345678"},
        {"6 12 34 56 78", "Maroc", "+212612345678"},  /* 8 digits or more, no 0 */
        /* a national number is read in its row's country only, never re-read
           as French: that would invent a number (issue 10) */
        {"06 12 34 56 78", "Canada", NULL},
        {"07 32 10 50 98", "Belgique", NULL},
        {"044 668 18 00", "Suisse", "+41446681800"},
        {"044 668 18 00", "France", "+33446681800"},
        {"+41 44 668 18 00", "France", "+41446681800"},
        {"12345", "Luxembourg", NULL},
        {"06 12 34 56", "Belgique", NULL},
        {"06 12 34 56", "Canada", NULL},
    };
    for (size_t i = 0; i < N(cases); i++) {
        li_lead *l = row(fx, "", cases[i].phone, "", "", cases[i].country);
        if (cases[i].want) {
            if (l->nerrors != 0 || !li_slice_eq(l->value[LI_FIELD_PHONE], cases[i].want))
                print_error("phone \"%s\" in %s: got \"%.*s\", want %s\n", cases[i].phone,
                            cases[i].country, (int)l->value[LI_FIELD_PHONE].len,
                            l->value[LI_FIELD_PHONE].ptr, cases[i].want);
            assert_int_equal(l->nerrors, 0);
            VALUE_EQ(l, LI_FIELD_PHONE, cases[i].want);
        } else {
            assert_non_null(issue(l, LI_MSG_PHONE_INVALID));
        }
    }
}

static void test_a_normalised_row_validates_unchanged(void **state) {
    fixture *fx = *state;
    li_lead *l = row(fx, "jean@orange.fr", "0470 12 34 56", "1000", "BRUXELLES", "belgique");
    char saved[LI_FIELD__COUNT][64];
    const char *cells[LI_FIELD__COUNT];
    static const li_field order[] = {LI_FIELD_FIRST_NAME, LI_FIELD_LAST_NAME,   LI_FIELD_EMAIL,
                                     LI_FIELD_PHONE,      LI_FIELD_POSTAL_CODE, LI_FIELD_CITY,
                                     LI_FIELD_COUNTRY};
    li_slice f[N(order)];
    for (size_t i = 0; i < N(order); i++) {
        li_slice s = l->value[order[i]];
        snprintf(saved[i], sizeof saved[i], "%.*s", (int)s.len, s.ptr);
        cells[i] = saved[i];
        f[i] = li_slice_of(cells[i]);
    }
    assert_string_equal(saved[3], "+32470123456");
    assert_string_equal(saved[6], "BE");
    assert_string_equal(saved[5], "Bruxelles");
    assert_int_equal(li_validate_row(fx->v, f, N(order), &fx->lead), LI_OK);
    for (size_t i = 0; i < N(order); i++)
        assert_true(li_slice_eq(fx->lead.value[order[i]], saved[i]));
    assert_int_equal(fx->lead.nissues, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_country_table_is_sorted_and_unique),
        cmocka_unit_test(test_country_names_and_codes_give_iso_alpha2),
        cmocka_unit_test(test_unknown_countries_are_not_guessed),
        cmocka_unit_test(test_every_country_has_a_french_name),
        cmocka_unit_test(test_country_normalisation_is_idempotent),
        cmocka_unit_test(test_postal_codes_are_checked_against_the_country),
        cmocka_unit_test(test_postal_normalisation_is_idempotent),
        cmocka_unit_test(test_email_domain_typos_suggest_the_domain_meant),
        cmocka_unit_test(test_known_and_other_domains_are_not_typos),
        cmocka_unit_test(test_all_caps_names_get_title_case),
        cmocka_unit_test(test_names_with_lower_case_are_left_alone),
        cmocka_unit_test(test_name_case_is_idempotent),
        cmocka_unit_test_setup_teardown(test_row_names_and_city_in_capitals_get_title_case, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_email_domain_typo_is_a_warning_keeping_the_address,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_country_is_normalised_or_warned_and_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_postal_code_warnings_name_the_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_phone_region_follows_the_row_country, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_normalised_row_validates_unchanged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
