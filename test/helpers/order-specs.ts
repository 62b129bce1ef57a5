import type { OrderSpec } from '../../src/standins/shoprenter-fixtures.js';

/**
 * A simple, always draftable private order (two VAT rates, shipping and a COD fee) that the
 * end-to-end and fault tests build on; each test sets innerId, dateUpdated and usually the e-mail.
 */
export const SIMPLE_ORDER: Omit<OrderSpec, 'innerId' | 'dateUpdated' | 'email'> = {
  status: 1,
  phone: '+36301234567',
  firstname: 'Kiss',
  lastname: 'Anna',
  billing: { postcode: '1111', city: 'Budapest', address1: 'Fő utca 1.' },
  paymentMethodCode: 'cod',
  paymentFee: { gross: 590, taxRate: 27 },
  shippingExtension: 'gls',
  shippingFee: { gross: 1690, taxRate: 27 },
  products: [
    { name: 'Pálinkás pohár készlet', sku: 'POH-6', gtin: '5991234567890', netPrice: 3937.0079, taxRate: 27, stocks: [1, 1] },
    { name: 'Szabó Magda: Az ajtó', sku: 'KONYV-AJT', netPrice: 4284.7619, taxRate: 5, stocks: [1] },
  ],
};
