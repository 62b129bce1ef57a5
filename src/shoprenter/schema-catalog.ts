import { z } from 'zod';
import { embeddedList, IntText, Ref, Text } from './schema-primitives.js';

/** Wire schemas of the shop's lookup lists and the OAuth token answer (reference §1.2, §4.1). */

/** `/paymentModes` item; `code` is what orders carry as paymentMethodCode (case differs, §9.6). */
export const PaymentModeWire = z.object({
  id: Text,
  innerId: Text,
  code: Text,
  status: Text,
  paymentDescription: embeddedList(z.object({ name: Text })),
});
export type PaymentModeWire = z.infer<typeof PaymentModeWire>;

/** `/shippingModeExtend` item: its fields are not documented, so everything else is kept as sent. */
export const ShippingModeWire = z.looseObject({ id: Text, innerId: Text, name: Text, extension: Text });
export type ShippingModeWire = z.infer<typeof ShippingModeWire>;

export const TaxClassWire = z.object({
  id: Text,
  name: Text,
  taxRates: embeddedList(z.object({ rate: Text, description: Text })),
});
export type TaxClassWire = z.infer<typeof TaxClassWire>;

export const OrderStatusDescriptionWire = z.object({ id: Text, name: Text, orderStatus: Ref, language: Ref });
export type OrderStatusDescriptionWire = z.infer<typeof OrderStatusDescriptionWire>;

/** The OAuth token answer (reference §1.2). */
export const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: IntText,
  token_type: z.string().optional(),
});
