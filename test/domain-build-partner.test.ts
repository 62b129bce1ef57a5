import { describe, expect, it } from '@jest/globals';
import { buildPartner, classifyTaxNumber, countryText } from '../src/domain/build-partner.js';
import type { OrderAddress } from '../src/domain/order.js';
import { makeOrder } from './fixtures/golden/builders.js';

const billing = (overrides: Partial<OrderAddress> = {}): OrderAddress => ({
  name: 'Kiss Anna',
  company: null,
  postcode: '1111',
  city: 'Budapest',
  street: 'Fő utca 1.',
  countryName: 'Magyarország',
  countryCode: 'HU',
  ...overrides,
});

describe('buildPartner', () => {
  it('makes a private person from the billing block, e-mail trimmed and lower-cased', () => {
    expect(buildPartner(makeOrder({ email: '  Kiss.Anna@Example.HU ' }))).toEqual({
      email: 'kiss.anna@example.hu',
      name: 'Kiss Anna',
      phone: '+36301234567',
      postcode: '1111',
      city: 'Budapest',
      street: 'Fő utca 1.',
      country: 'Magyarország',
      countryCode: 'HU',
      companyName: null,
      taxNumber: null,
      euVatNumber: null,
    });
  });

  it.each([null, '', '   ', 'nincs', 'anna@', 'anna@example', 'anna kiss@example.hu'])('refuses e-mail %j', (email) => {
    expect(buildPartner(makeOrder({ email, orderNumber: '1234' }))).toEqual({
      reason: 'Order 1234 has no usable e-mail address, so no Cashman partner can be matched; add one in Shoprenter.',
    });
  });

  it.each([
    // company, tax number -> partner name, companyName, taxNumber, euVatNumber
    ['Példa Kft.', '12345678-2-41', 'Példa Kft.', 'Példa Kft.', '12345678-2-41', null],
    ['Példa Kft.', '12345678241', 'Példa Kft.', 'Példa Kft.', '12345678-2-41', null],
    ['Példa Kft.', 'HU12345678', 'Példa Kft.', 'Példa Kft.', '12345678', 'HU12345678'],
    ['Beispiel GmbH', 'DE 123 456 789', 'Beispiel GmbH', 'Beispiel GmbH', null, 'DE123456789'],
    ['Példa Kft.', '-', 'Kiss Anna', null, null, null], // no digit: not a tax number, so a private buyer
    ['Példa Kft.', null, 'Kiss Anna', null, null, null],
    // SPEC §1.2: a tax number makes a business; a sole trader with no company is named by the person
    [null, '12345678-2-41', 'Kiss Anna', null, '12345678-2-41', null],
    ['  ', '68123456-1-33', 'Kiss Anna', null, '68123456-1-33', null],
  ])('company %j with tax number %j -> %s', (company, taxNumber, name, companyName, tax, euVat) => {
    const partner = buildPartner(makeOrder({ billing: billing({ company }), taxNumber }));
    expect(partner).toMatchObject({ name, companyName, taxNumber: tax, euVatNumber: euVat });
  });

  it('falls back to the shipping name, and refuses an order with no name at all', () => {
    const shipping = billing({ name: 'Varga Imre' });
    expect(buildPartner(makeOrder({ billing: billing({ name: ' ' }), shipping }))).toMatchObject({ name: 'Varga Imre' });
    expect(buildPartner(makeOrder({ billing: billing({ name: '' }), shipping: null, orderNumber: '9' }))).toEqual({
      reason: 'Order 9 has no billing name, so the Cashman partner cannot be named; add one in Shoprenter.',
    });
  });
});

describe('classifyTaxNumber', () => {
  it.each([
    ['12345678-1-23', '12345678-1-23', null],
    [' 12345678 1 23 ', '12345678-1-23', null],
    ['12345678', '12345678', null], // törzsszám only
    ['hu 1234 5678', '12345678', 'HU12345678'],
    ['ATU12345678', null, 'ATU12345678'],
    ['EL123456789', null, 'EL123456789'],
    ['GB123456789', 'GB123456789', null], // not an EU prefix: kept as typed for the accountant
    ['123-456', '123-456', null],
  ])('%j -> tax %j, EU VAT %j', (raw, taxNumber, euVatNumber) => {
    expect(classifyTaxNumber(raw)).toEqual({ taxNumber, euVatNumber });
  });

  it.each([null, '', '  ', 'nincs', 'n/a'])('%j is no tax number', (raw) => {
    expect(classifyTaxNumber(raw)).toBeNull();
  });
});

describe('countryText', () => {
  it.each([
    [{ countryName: 'Hungary', countryCode: 'HU' }, 'Magyarország'],
    [{ countryName: 'Magyarország', countryCode: null }, 'Magyarország'],
    [{ countryName: 'Ausztria', countryCode: 'AT' }, 'Ausztria'],
    [{ countryName: null, countryCode: 'at' }, 'AT'],
    [{ countryName: null, countryCode: null }, 'Magyarország'],
  ])('%j -> %s', (overrides, expected) => {
    expect(countryText(billing(overrides))).toBe(expected);
  });
});
