import type { AlertEvent } from './alert-event.js';
import { theNumbered } from './hungarian.js';
import { summaryTextHu } from './summary-text.js';
import type { AlertFrame, AlertTable } from './text-shapes.js';
import { listed } from './texts-en.js';

const order = (e: AlertEvent): string => e.orderNumber ?? '?';
/** "Az 1234-es rendelés" at a sentence start. */
const theOrder = (e: AlertEvent): string => `${theNumbered(order(e), true)} rendelés`;
/**
 * "az 5008-as mintát": Cashman's reference is "5008|1" (number|series), read aloud by its leading
 * number, so the grammar follows that; the full reference is shown where it is labelled. "a
 * mintát" when the reference is unknown or does not start with a number.
 */
const theDraft = (e: AlertEvent): string => {
  const lead = /^\s*([1-9]\d*)(?!\d)/.exec(e.cashmanRef ?? '')?.[1];
  return lead ? `${theNumbered(lead)} mintát` : 'a mintát';
};
/** The program's own sentence, in English like the logs: quoted so the owner can search for it. */
const said = (reason: string): string => `A program üzenete (angolul): ${reason}`;

/**
 * Hungarian texts, one row per alert kind, written for the shop owner ("te"), the way the
 * Hungarian invoicing tools they compare us with write to them.
 */
const table: AlertTable = {
  quarantined: (e) => ({
    title: `${order(e)}: karanténban, nem készült számlaminta`,
    what: `${theOrder(e)}ből nem készült számlaminta, mert az adataiból így nem lehet hibátlan számlát kiállítani. Semmit nem küldtem el a Cashmannek. ${said(e.reason)}`,
    todo: `Javítsd a hibát (a config.yaml-ban vagy a rendelésben a Shoprenterben), majd futtasd: \`retry ${order(e)}\`.`,
  }),
  uncertain: (e) =>
    e.partnerCode
      ? {
          title: `${order(e)}: még nincs számlaminta, ellenőrizd a(z) ${e.partnerCode} partnerkódot`,
          what: `${theOrder(e)}hez nem küldtem számlamintát: a Cashman szerint a(z) ${e.partnerCode} partnerkód már foglalt, miután egy korábbi partnerlétrehozásra nem jött válasz. Lehet, hogy ez maga a vevő (a korábbi kérés mégis átment), de lehet egy másik partner is, és ezt a Cashman nem árulja el. ${said(e.reason)}`,
          todo: `Keresd meg a(z) ${e.partnerCode} partnert a Cashmanben: ha ez a vevő, futtasd: \`retry ${order(e)} --partner-code-is-theirs\`; ha valaki más, futtasd: \`retry ${order(e)} --new-partner-code\`.`,
        }
      : {
          title: `${order(e)}: nem biztos, hogy elkészült a számlaminta`,
          what: `${theOrder(e)} számlamintájának küldésekor a Cashman válasza elveszett vagy érthetetlen volt, így nem tudni, létrejött-e a minta. Magától nem küldöm újra, nehogy két számla legyen belőle. ${said(e.reason)}`,
          todo: `Nézd meg a Cashmanben: ha megvan a minta, futtasd: \`resolve ${order(e)} --done\`; ha nincs, futtasd: \`retry ${order(e)} --force\`.`,
        },
  'login-failed': (e) => ({
    title: 'sikertelen belépés, most nem megy át számlaminta',
    what: `Egy belépést elutasítottak, ezért amíg ez így marad, egyetlen számlaminta sem megy át. A rendelések várnak, egy sem vész el. ${said(e.reason)}`,
    todo: 'Ellenőrizd a belépési adatokat a .env fájlban (CASHMAN_GROUP, CASHMAN_USER, CASHMAN_PASSWORD, vagy a Shoprenter API-kliens), majd indítsd újra a programot.',
  }),
  'login-recovered': (e) => ({ title: 'a belépés újra működik', what: `Minden rendben: a belépés újra működik, a várakozó rendelések mennek tovább. ${said(e.reason)}`, todo: null }),
  'shoprenter-failing': (e) => ({
    title: 'a Shoprenter nem válaszol, új rendelést nem olvasok be',
    what: `A Shoprenter ismételten hibát ad vagy nem válaszol, ezért most nem olvasok be új rendelést; amint újra válaszol, mindent pótolok. ${said(e.reason)}`,
    todo: 'Nézd meg az API-kliens beállításait a bolt adminjában és a hálózatot. Ha magától helyreáll, nincs teendő.',
  }),
  'shoprenter-recovered': (e) => ({ title: 'a Shoprenter újra válaszol', what: `Minden rendben: a Shoprenter újra válaszol. ${said(e.reason)}`, todo: null }),
  'cashman-failing': (e) => ({
    title: 'a Cashman nem érhető el, most nem küldök számlamintát',
    what: `A Cashman nem érhető el, ezért most nem küldök számlamintát; a rendelések kivárnak, és sorban mennek, amint újra válaszol. ${said(e.reason)}`,
    todo: 'Ellenőrizd a CASHMAN_API_URL értékét és a hálózatot. Ha magától helyreáll, nincs teendő.',
  }),
  'cashman-recovered': (e) => ({ title: 'a Cashman újra elérhető', what: `Minden rendben: a Cashman újra válaszol, a várakozó rendelések mennek tovább. ${said(e.reason)}`, todo: null }),
  'cancelled-after-draft': (e) => ({
    title: `${order(e)}: törölve a számlaminta után`,
    what: `${theOrder(e)} számlamintája elkészült${e.cashmanRef ? ` (Cashman: ${e.cashmanRef})` : ''}, de a rendelést azóta lemondták. ${said(e.reason)}`,
    todo: `Töröld ${theDraft(e)} a Cashmanben (ha már számla lett belőle, állíts ki hozzá sztornó számlát), majd futtasd: \`ack ${order(e)}\`.`,
  }),
  'changed-after-draft': (e) => ({
    title: `${order(e)}: megváltozott a számlaminta után`,
    what: `${theOrder(e)} számlamintája elkészült${e.cashmanRef ? ` (Cashman: ${e.cashmanRef})` : ''}, de a rendelés azóta megváltozott. ${said(e.reason)}`,
    todo: `Ha a minta még nincs véglegesítve: töröld ${theDraft(e)} a Cashmanben, és futtasd: \`redraft ${order(e)} --old-draft-deleted\` (új mintát küld). Ha már számla lett belőle, javítsd sztornó számlával, majd futtasd: \`ack ${order(e)}\`. Ha a változás nem számít: \`ack ${order(e)}\`.`,
  }),
  'pilot-ready': (e) => ({
    title: 'kész a próbaüzem, jóváhagyásra vár',
    what: `A próbaüzem számlamintái elkészültek; további mintát nem küldök, amíg jóvá nem hagyod. Az új rendeléseket addig is feljegyzem, egy sem vész el. ${said(e.reason)}`,
    todo: 'Nézd át a mintákat a Cashmanben (a `status` parancs felsorolja őket); ha rendben vannak, futtasd: `approve`.',
  }),
  'writer-stopped': (e) => ({
    title: 'leállt egy folyamat: egy másik vette át a nyilvántartást',
    what: `A program egyik futása leállt: túl sokáig állt (felfüggesztették vagy elakadt), és közben egy másik folyamat átvette a nyilvántartást. Ez a futás már semmit nem írt és nem küldött; a rendeléseket az új folyamat viszi tovább, egy sem vész el. ${said(e.reason)}`,
    todo: 'Ha csak egy programnak kellene futnia ezen a nyilvántartáson, keresd meg a másodikat (másik konténer, vagy cronból futó `once`).',
  }),
  'sync-failing': (e) => ({
    title: 'hibásan futnak a körök, most nem készül számlaminta',
    what: `A program saját hibája miatt (lemez, a nyilvántartás fájlja vagy programhiba) a körök sorra elakadnak, ezért most nem készül számlaminta; a rendelések várnak, egy sem vész el. ${said(e.reason)}`,
    todo: 'Nézd meg a szabad lemezhelyet, a nyilvántartás fájlját és a naplót; a javítás után indítsd újra a programot.',
  }),
  'sync-recovered': (e) => ({ title: 'a körök újra rendben futnak', what: `Minden rendben: a körök újra rendben futnak. ${said(e.reason)}`, todo: null }),
  'shoprenter-login-failed': (e) => ({
    title: 'a Shoprenter elutasította az API-klienst, új rendelést nem olvasok be',
    what: `A Shoprenter elutasította az API-klienst (visszavonták, vagy hiányzik egy jogosultsága), ezért új rendelést nem olvasok be; ez magától nem javul meg. ${said(e.reason)}`,
    todo: 'Nézd meg az API-klienst a bolt adminjában, és a SHOPRENTER_CLIENT_ID / SHOPRENTER_CLIENT_SECRET értékét a .env fájlban.',
  }),
  'shoprenter-login-recovered': (e) => ({ title: 'a Shoprenter újra elfogadja az API-klienst', what: `Minden rendben: a Shoprenter újra elfogadja az API-klienst. ${said(e.reason)}`, todo: null }),
  'stock-held': (e) => ({
    title: 'visszatartott készletfrissítés, semmit nem írtam a boltba',
    what: `Egy készletfrissítést visszatartottam: semmit nem írtam a boltba, mert amit a Cashmanből olvastam vagy amit írnék, hibásnak tűnik. ${said(e.reason)}`,
    todo: 'Nézd meg: `stock preview`; ha helyes, amit írna, futtasd: `stock approve` (egyszer engedi át a frissítést).',
  }),
  'stock-write-refused': (e) => ({
    title: 'nem frissül a készlet: a bolt nem engedi írni a termékeket',
    what: `A Shoprenter nem engedi, hogy az API-kliens írja a termékek készletét, ezért a készletfrissítés semmit nem ír, és a bolt készlete elavul. ${said(e.reason)}`,
    todo: 'Add meg az API-kliensnek a product.product:write jogosultságot a bolt adminjában; a következő készletfrissítés magától újra ír.',
  }),
  'test-alert': () => ({
    title: 'próba értesítés',
    what: 'Ezt a próba értesítést a `check --send-test-alert` parancs küldte: ha olvasod, ez a csatorna működik.',
    todo: null,
  }),
  'daily-summary': (e) => summaryTextHu(e.summary),
};

const frame: AlertFrame = {
  todo: 'Teendő',
  cashmanRef: 'Cashman-számlaminta',
  details: 'Részletek',
  bundleSubject: (count, orders) => `${count} értesítés${orders.length ? `: ${listed(orders, 'és még', 'további')}` : ''}`,
  bundleIntro: (count) => `${count} új értesítés, a legrégebbi elöl.`,
  quarantineGroup: (orders, reason) => ({
    title: `${orders.length} rendelés karanténban, ugyanazért: nem készült számlaminta`,
    what: `Ezekből a rendelésekből (${orders.length}) nem készült számlaminta, mind ugyanazért az okért, mert így nem lehet belőlük hibátlan számlát kiállítani: ${orders.join(', ')}. Semmit nem küldtem el a Cashmannek. ${said(reason)}`,
    todo: 'Javítsd a hibát (a config.yaml-ban vagy a rendelésekben a Shoprenterben), majd futtasd egyszer: `retry --quarantined` (minden karanténban lévő rendelést újra sorba állít, és kiírja mindegyik okát).',
  }),
  // The shop's name may start with any sound: no article before it ("a(z)" reads as a form).
  footer: (shop) => `Ezt a levelet a shoprenter-cashman-sync küldte, ennek a boltnak az ügyében: „${shop}”. Az értesítések és a reggeli összefoglaló beállításai: alerts a config.yaml-ban.`,
};

export const HUNGARIAN = { table, frame };
