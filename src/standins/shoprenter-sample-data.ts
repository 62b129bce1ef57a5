/** Hungarian names, places and products for generated sample shops (accents on purpose). */

export const FAMILY_NAMES = [
  'Nagy',
  'Kovács',
  'Tóth',
  'Szabó',
  'Horváth',
  'Varga',
  'Kiss',
  'Molnár',
  'Németh',
  'Farkas',
  'Balogh',
  'Papp',
  'Takács',
  'Juhász',
  'Mészáros',
  'Oláh',
  'Simon',
  'Rácz',
  'Fekete',
  'Szilágyi',
  'Török',
  'Fehér',
  'Balázs',
  'Gál',
  'Szűcs',
  'Kocsis',
  'Pintér',
  'Fodor',
  'Szalai',
  'Sipos',
  'Magyar',
  'Lukács',
  'Gulyás',
  'Bíró',
  'Király',
  'Katona',
  'László',
  'Hegedűs',
  'Vörös',
  'Szőke',
];

export const GIVEN_NAMES = [
  'Bence',
  'Máté',
  'Levente',
  'Dávid',
  'Ádám',
  'Dániel',
  'Gergő',
  'Péter',
  'László',
  'István',
  'Zoltán',
  'Gábor',
  'Ödön',
  'Örs',
  'Zsófia',
  'Anna',
  'Hanna',
  'Réka',
  'Eszter',
  'Lilla',
  'Boglárka',
  'Júlia',
  'Nóra',
  'Ágnes',
  'Erzsébet',
  'Katalin',
  'Éva',
  'Ildikó',
  'Tünde',
  'Enikő',
];

export const PLACES: { postcode: string; city: string }[] = [
  { postcode: '1052', city: 'Budapest' },
  { postcode: '1117', city: 'Budapest' },
  { postcode: '1139', city: 'Budapest' },
  { postcode: '4025', city: 'Debrecen' },
  { postcode: '6720', city: 'Szeged' },
  { postcode: '3525', city: 'Miskolc' },
  { postcode: '7621', city: 'Pécs' },
  { postcode: '9021', city: 'Győr' },
  { postcode: '4400', city: 'Nyíregyháza' },
  { postcode: '6000', city: 'Kecskemét' },
  { postcode: '8000', city: 'Székesfehérvár' },
  { postcode: '9700', city: 'Szombathely' },
  { postcode: '3300', city: 'Eger' },
  { postcode: '8200', city: 'Veszprém' },
  { postcode: '6800', city: 'Hódmezővásárhely' },
  { postcode: '2100', city: 'Gödöllő' },
];

export const STREETS = [
  'Petőfi Sándor utca',
  'Kossuth Lajos utca',
  'Rákóczi út',
  'Ady Endre utca',
  'Széchenyi tér',
  'Dózsa György út',
  'Bajcsy-Zsilinszky út',
  'Jókai Mór utca',
  'Fő utca',
  'Kölcsey Ferenc utca',
  'Arany János utca',
  'Szent István körút',
  'Váci út',
  'Hősök tere',
  'Árpád fejedelem útja',
];

export const EMAIL_DOMAINS = ['gmail.com', 'freemail.hu', 'citromail.hu', 'outlook.hu', 't-online.hu'];

/** Shelf prices are gross, as Hungarian shops set them; VAT per the HU rates (27 / 18 / 5). */
export interface CatalogProduct {
  name: string;
  sku: string;
  gross: number;
  taxRate: number;
  gtin?: string;
  /** Beverage under the deposit-return scheme: one 50 Ft deposit add-on per unit. */
  deposit?: boolean;
}

export const PRODUCTS: CatalogProduct[] = [
  { name: 'Kerámia bögre – hollóházi minta', sku: 'BOG-001', gross: 3490, taxRate: 27, gtin: '5999881234562' },
  { name: 'Gyapjú sál, bordó', sku: 'SAL-014', gross: 8990, taxRate: 27 },
  { name: 'Bőr pénztárca', sku: 'PT-220', gross: 12990, taxRate: 27, gtin: '5999881234579' },
  { name: 'Vezeték nélküli fülhallgató', sku: 'FH-900', gross: 15990, taxRate: 27, gtin: '5999881234586' },
  { name: 'Társasjáték: Honfoglaló', sku: 'TJ-HON', gross: 9990, taxRate: 27 },
  { name: 'Illatgyertya – levendula', sku: 'GY-LEV', gross: 2490, taxRate: 27 },
  { name: 'Kézműves szappan (3 db)', sku: 'SZ-003', gross: 1990, taxRate: 27 },
  { name: 'Szentkirályi ásványvíz 1,5 l', sku: 'VIZ-15', gross: 249, taxRate: 27, gtin: '5997254100017', deposit: true },
  { name: 'Trappista sajt 500 g', sku: 'SAJT-500', gross: 2390, taxRate: 18 },
  { name: 'Túrós pogácsa (6 db)', sku: 'POG-006', gross: 1290, taxRate: 18 },
  { name: 'Tejföl 20% 330 g', sku: 'TEJF-330', gross: 549, taxRate: 18 },
  { name: 'Molnár Ferenc: A Pál utcai fiúk', sku: 'KONYV-PUF', gross: 3299, taxRate: 5, gtin: '9789631199987' },
  { name: 'Szabó Magda: Az ajtó', sku: 'KONYV-AJT', gross: 4499, taxRate: 5 },
  { name: 'Friss tojás (10 db)', sku: 'TOJ-010', gross: 1290, taxRate: 5 },
];

export const PAYMENT_METHODS = [
  { code: 'cod', name: 'Utánvétel', weight: 35 },
  { code: 'bank_transfer', name: 'Banki átutalás', weight: 25 },
  { code: 'barion', name: 'Barion bankkártyás fizetés', weight: 30 },
  { code: 'simple', name: 'SimplePay bankkártya', weight: 10 },
];

export const SHIPPING_METHODS = [
  { extension: 'gls', name: 'GLS házhozszállítás', gross: 1690 },
  { extension: 'foxpost', name: 'Foxpost csomagautomata', gross: 1190 },
  { extension: 'mplparcelmachine', name: 'MPL csomagautomata', gross: 990 },
  { extension: 'personal', name: 'Személyes átvétel (1052 Budapest, Petőfi Sándor utca 3.)', gross: 0 },
];

/** Status inner ids with their HU names (reference §6); 5 = Teljesítve. */
export const STATUSES = [
  { id: 1, name: 'Függőben lévő' },
  { id: 2, name: 'Feldolgozás alatt' },
  { id: 3, name: 'Kiszállítva' },
  { id: 5, name: 'Teljesítve' },
  { id: 7, name: 'Törölve' },
];
